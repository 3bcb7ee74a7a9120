"""App config of styleguide_example.emails."""

from django.apps import AppConfig


class EmailsConfig(AppConfig):
    name = "styleguide_example.emails"
