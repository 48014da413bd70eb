"""The upload form's data for hub/static/hub/uploads.js and its hint, in the page's language."""

from django import template
from django.utils.html import json_script

from cases import upload_script, uploads

register = template.Library()


@register.simple_tag
def upload_config():
    """The script's limits and texts as a JSON data block: never executed, so the CSP stays
    strict."""
    return json_script(upload_script.config(), "hub-upload-config")


@register.simple_tag
def upload_accept():
    """The file picker's `accept`: the extensions the server takes at all."""
    return ",".join(uploads.accepted_extensions())


@register.simple_tag
def upload_limits():
    """The limits as the upload form's hint states them (MB per file, files at a time)."""
    return upload_script.limits()
