"""The graph walk (itsm.cmdb.graph): transitive, cycles, depth limit, diamonds, and which
relation kinds carry an outage — each walk one query."""

import itertools

import pytest

from itsm.cmdb import graph
from itsm.cmdb.models import CiRelation
from tests.factories.cmdb import ConfigurationItemFactory, ServiceFactory


def rel(source, kind, target):
    return CiRelation.objects.create(source=source, target=target, kind=kind)


def names(walk):
    return {node.name: node.depth for node in walk.cis}


@pytest.fixture
def cis(db):
    return {name: ConfigurationItemFactory(name=name) for name in "abcdefgh"}


@pytest.mark.django_db
def test_downstream_is_transitive_nearest_first_in_one_query(cis, django_assert_num_queries):
    a, b, c = cis["a"], cis["b"], cis["c"]
    rel(b, "depends_on", a)  # b needs a
    rel(c, "runs_on", b)  # c needs b
    with django_assert_num_queries(1):
        walk = graph.downstream(start=[a.pk])
    assert [(n.name, n.depth) for n in walk.cis] == [("b", 1), ("c", 2)]
    with django_assert_num_queries(1):
        up = graph.upstream(start=[c.pk])
    assert [(n.name, n.depth) for n in up.cis] == [("b", 1), ("a", 2)]


@pytest.mark.django_db
def test_a_cycle_ends_and_never_reports_the_start(cis):
    a, b, c = cis["a"], cis["b"], cis["c"]
    rel(b, "depends_on", a)
    rel(c, "depends_on", b)
    rel(a, "depends_on", c)  # a → c → b → a
    assert names(graph.downstream(start=[a.pk])) == {"b": 1, "c": 2}
    assert names(graph.upstream(start=[a.pk])) == {"c": 1, "b": 2}


@pytest.mark.django_db
def test_the_depth_limit_stops_the_walk(cis):
    chain = [cis[n] for n in "abcdefgh"]
    for needed, needer in itertools.pairwise(chain):
        rel(needer, "depends_on", needed)
    assert names(graph.downstream(start=[chain[0].pk], max_depth=3)) == {"b": 1, "c": 2, "d": 3}
    assert len(graph.downstream(start=[chain[0].pk]).cis) == graph.MAX_DEPTH


@pytest.mark.django_db
def test_a_diamond_names_each_ci_once_at_its_shortest_distance(cis):
    a, b, c, d, e = (cis[n] for n in "abcde")
    rel(b, "depends_on", a)
    rel(c, "depends_on", a)
    rel(d, "depends_on", b)
    rel(d, "depends_on", c)
    rel(e, "depends_on", d)
    rel(e, "depends_on", a)  # e also needs a directly
    walk = graph.downstream(start=[a.pk])
    assert [n.name for n in walk.cis].count("d") == 1
    assert names(walk) == {"b": 1, "c": 1, "e": 1, "d": 2}


@pytest.mark.django_db
def test_mixed_kinds_connects_to_carries_no_outage_and_part_of_reaches_the_whole(cis):
    node, cluster, app, spam = cis["a"], cis["b"], cis["c"], cis["d"]
    rel(node, "part_of", cluster)  # the cluster needs its node
    rel(app, "depends_on", cluster)
    rel(spam, "connects_to", app)  # a link on the map, not a dependency
    assert names(graph.downstream(start=[node.pk])) == {"b": 1, "c": 2}
    assert names(graph.upstream(start=[app.pk])) == {"b": 1, "a": 2}
    assert graph.downstream(start=[app.pk]).cis == ()
    assert "connects_to" not in graph.IMPACT_KINDS


@pytest.mark.django_db
def test_downstream_services_include_the_start_cis_own_service():
    mail, crm = ServiceFactory(name="Email"), ServiceFactory(name="CRM")
    db = ConfigurationItemFactory(name="DB-CLUSTER-2", service=mail)
    app = ConfigurationItemFactory(name="crm-app", service=crm)
    rel(app, "depends_on", db)
    walk = graph.downstream(start=[db.pk])
    assert [name for _, name in walk.services] == ["CRM", "Email"]
    assert walk.service_count == 2
    assert graph.downstream(start=[]).cis == ()
