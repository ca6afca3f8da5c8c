"""Forms of the resources library."""

from django import forms

from core.forms_mixins import FieldMessagesMixin
from core.uploads import MB, RESOURCE_KINDS, accept_attribute, check_upload, upload_name

from .models import Resource

RESOURCE_MAX_MB = 20  # what a partnership's leaflets and briefings need; not a policy number


class ResourceFilterForm(FieldMessagesMixin, forms.Form):
    category = forms.ModelChoiceField(queryset=None, required=False, empty_label="All categories",
                                      widget=forms.Select(attrs={"class": "form-select"}))
    kind = forms.ChoiceField(required=False, label="Type of resource",
                             widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["kind"].choices = [("", "All types"), *Resource.Kind.choices]

    def filters(self):
        """The filters that were valid; a bad value (an old link, a typed URL) is ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"category": data.get("category"), "kind": data.get("kind") or ""}


class ResourceForm(FieldMessagesMixin, forms.ModelForm):
    class Meta:
        model = Resource
        fields = ["title", "description", "kind", "category", "file", "url", "public"]
        labels = {"kind": "Type of resource", "file": "File", "url": "Link",
                  "public": "Anyone can see it"}
        help_texts = {
            "file": f"PDF, Word (.docx), PowerPoint (.pptx), Excel (.xlsx), PNG or JPEG, "
                    f"smaller than {RESOURCE_MAX_MB} MB. Files with macros are not accepted.",
            "url": "Or a link to a page on another site, starting https://",
            "public": "Untick to show it to signed-in users only.",
        }
        error_messages = {
            "title": {"required": "Enter a title for the resource"},
            "kind": {"required": "Choose the type of resource"},
            "file": {"empty": "The selected file is empty"},
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "file": forms.ClearableFileInput(
                attrs={"accept": accept_attribute(RESOURCE_KINDS)}),
        }

    def resource_data(self):
        """The cleaned fields for resources.services.resource_publish / resource_update; "file"
        is a new upload, False when "Clear" was ticked, or None to keep the file there is."""
        data = {name: self.cleaned_data[name]
                for name in ("title", "description", "kind", "category", "url", "public")}
        changed = "file" in self.changed_data
        data["file"] = (self.cleaned_data.get("file") or False) if changed else None
        return data

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload or upload is False or not hasattr(upload, "content_type"):
            return upload  # nothing new: kept, or removed with "Clear"
        # Checked by what it holds (core.uploads), and stored under the extension of what it
        # is, which is what the download's content type comes from.
        kind = check_upload(upload, RESOURCE_KINDS, RESOURCE_MAX_MB * MB)
        upload.name = upload_name(upload.name, kind)
        return upload

    def clean(self):
        data = super().clean()
        file, url = data.get("file"), data.get("url")
        if "file" in self.errors or "url" in self.errors:
            return data
        has_file = bool(file) if file is not None else bool(self.instance.file)
        if has_file and url:
            self.add_error("url", "Give a file or a link, not both: remove the link, or clear "
                                  "the file.")
        elif not has_file and not url:
            self.add_error("file", "Upload a file or give a link: a resource needs one of them.")
        return data
