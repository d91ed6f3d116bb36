import datetime

import factory

from knowledge.models import Article, ArticleVersion, Category


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("parent", "name")

    name = factory.Sequence(lambda n: f"Category {n}")
    parent = None


class ArticleFactory(factory.django.DjangoModelFactory):
    """An article row straight in the table (status as given); tests of the life cycle go
    through knowledge.services instead."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    number = factory.LazyFunction(Article.next_number)
    title = factory.Sequence(lambda n: f"How to do thing number {n}")
    summary = "A short summary."
    body = "Step one.\n\nStep two."
    status = "published"
    audience = "public"
    published_at = factory.Faker("date_time_this_year", tzinfo=datetime.UTC)

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if create and extracted:
            self.services.set(extracted)


class ArticleVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArticleVersion

    article = factory.SubFactory(ArticleFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.SelfAttribute("article.title")
    body = factory.SelfAttribute("article.body")
    published_at = factory.Faker("date_time_this_year", tzinfo=datetime.UTC)
