from django import forms


class EraseConfirmForm(forms.Form):
    """Erasure cannot be undone: the administrator types the person's e-mail address."""

    confirm_email = forms.CharField(
        label="Type the person's e-mail address to confirm",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_confirm_email(self) -> str:
        value = self.cleaned_data["confirm_email"].strip()
        if value.lower() != self.person.email.lower():
            raise forms.ValidationError(
                f"That is not {self.person}'s e-mail address; nothing was erased."
            )
        return value
