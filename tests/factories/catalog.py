"""Catalog items with their form fields and fulfilment task templates."""

from django.utils.text import slugify

from tickets.models import CatalogCategory, CatalogField, CatalogItem, FulfilmentTaskTemplate


def make_catalog_item(*, name="New laptop", fields=(), tasks=(), category="Hardware", **options):
    """A catalog item. fields: (name, type, required, choices) tuples; tasks: (title, team, step)."""
    item = CatalogItem.objects.create(
        name=name,
        slug=slugify(name),
        short_description=f"Order: {name}",
        category=CatalogCategory.objects.get_or_create(name=category)[0] if category else None,
        **options,
    )
    for order, (field_name, field_type, required, choices) in enumerate(fields):
        CatalogField.objects.create(
            item=item,
            name=field_name,
            label=field_name.replace("_", " ").capitalize(),
            field_type=field_type,
            required=required,
            choices=list(choices),
            order=order,
            help_text=f"Help for {field_name}",
        )
    for title, team, step in tasks:
        FulfilmentTaskTemplate.objects.create(item=item, title=title, team=team, step=step)
    return item
