import factory

from itsm.cmdb.models import ConfigurationItem, Service


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Service {n}")
    kind = "business"
    criticality = "medium"


class ConfigurationItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConfigurationItem

    name = factory.Sequence(lambda n: f"ci-{n:04d}")
    ci_type = "server"
    service = factory.SubFactory(ServiceFactory)
