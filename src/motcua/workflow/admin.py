"""Administration of internal processes: upload or replace a BPMN file, see steps and use.

A stored definition is immutable (dossiers in flight are pinned to it). "Replace" means
uploading a new version for the same key; new dossiers start with the newest version.
A bad file is refused on the form with the parser's reason.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from motcua.units.models import StaffRole
from motcua.workflow.bpmn import ProcessInvalid, parse_process
from motcua.workflow.models import InstanceStatus, ProcessDefinition
from motcua.workflow.services import process_definition_upload

KEY_FIELDS = ("province_code", "procedure_code", "case_code", "reference")


class ProcessUploadForm(forms.ModelForm):
    bpmn_file = forms.FileField(
        label=_("BPMN 2.0 file"),
        help_text=_(
            "A .bpmn file: user tasks with motcua:role, motcua:unit and motcua:allotment "
            "(see docs/processes.md)."
        ),
    )

    class Meta:
        model = ProcessDefinition
        fields = [*KEY_FIELDS, "name"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "name" in self.fields:
            self.fields["name"].required = False
            self.fields["name"].help_text = _("Empty: the name written in the file.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("bpmn_file")
        if upload is None:
            return data
        content = upload.read()
        if data.get("case_code") and not data.get("procedure_code"):
            self.add_error("procedure_code", _("A case code needs its procedure code."))
        if data.get("reference") and data.get("procedure_code"):
            self.add_error("reference", _("Give either a reference or a procedure code, not both."))
        try:
            parse_process(content)
        except ProcessInvalid as exc:
            self.add_error("bpmn_file", exc.message)
        data["bpmn_content"] = content
        return data


def _role(value: str) -> str:
    try:
        return str(StaffRole(value).label)
    except ValueError:
        return value


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(admin.ModelAdmin):
    form = ProcessUploadForm
    list_display = (
        "__str__",
        "name",
        "version",
        "uploaded_at",
        "uploaded_by",
        "parsed_ok",
    )
    list_filter = ("province_code", "parsed_ok")
    search_fields = ("procedure_code", "case_code", "reference", "name")
    ordering = ("province_code", "reference", "procedure_code", "case_code", "-version")
    readonly_fields = (
        *KEY_FIELDS,
        "name",
        "version",
        "process_id",
        "sha256",
        "parsed_ok",
        "uploaded_by",
        "uploaded_at",
        "step_table",
        "in_flight",
        "replace_link",
        "bpmn_xml",
    )

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is not None:  # stored versions are shown read-only
            kwargs["fields"] = []
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [*KEY_FIELDS, "name", "bpmn_file"]
        return self.readonly_fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.instances.exists():
            return False  # dossiers are pinned to it
        return super().has_delete_permission(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProcessDefinition]:
        return super().get_queryset(request).select_related("uploaded_by")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        definition = process_definition_upload(
            actor=request.user,  # type: ignore[arg-type]
            xml=data["bpmn_content"],
            **{f: data.get(f) or "" for f in KEY_FIELDS},
            name=data.get("name") or "",
        )
        for f in definition._meta.concrete_fields:
            setattr(obj, f.attname, getattr(definition, f.attname))
        obj._state = definition._state

    @admin.display(description=_("steps"))
    def step_table(self, obj: ProcessDefinition) -> SafeString:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (s["name"], _role(s["role"]), s["unit"], s["allotment"], " ".join(s["actions"]))
                for s in obj.steps
            ),
        )
        head = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("step"),
            _("role"),
            _("unit"),
            _("time allotment"),
            _("actions that complete it"),
        )
        return format_html("<table>{}{}</table>", head, rows)

    @admin.display(description=_("dossiers in flight"))
    def in_flight(self, obj: ProcessDefinition) -> int:
        return obj.instances.filter(status=InstanceStatus.RUNNING).count()

    @admin.display(description=_("replace"))
    def replace_link(self, obj: ProcessDefinition) -> SafeString:
        query = urlencode({f: getattr(obj, f) for f in KEY_FIELDS if getattr(obj, f)})
        url = reverse("admin:workflow_processdefinition_add")
        return format_html(
            '<a href="{}">{}</a>', f"{url}?{query}" if query else url, _("Upload a new version")
        )
