from django import forms

from itsm.cmdb.models import Service
from itsm.core.fieldlists import takes_fields
from knowledge.choices import ArticleAudience
from knowledge.fields import ARTICLE_DESK_FIELDS
from knowledge.models import Category


@takes_fields("version", ARTICLE_DESK_FIELDS)
class ArticleForm(forms.Form):
    """Input of the desk's create/edit page; the services write, the form only validates."""

    title = forms.CharField(max_length=200)
    summary = forms.CharField(max_length=500, required=False)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "true"}), help_text="Markdown."
    )
    category = forms.ModelChoiceField(queryset=Category.objects.all(), required=False)
    tags = forms.CharField(required=False, help_text="Comma-separated.")
    audience = forms.ChoiceField(choices=ArticleAudience.choices)
    services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.filter(is_active=True), required=False
    )
    review_by = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Review by"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return sorted({t.strip().lower() for t in raw.split(",") if t.strip()})


class FeedbackForm(forms.Form):
    is_helpful = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")], coerce=lambda v: v == "yes"
    )
    comment = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
