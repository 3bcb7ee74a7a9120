"""App config of styleguide_example.core."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "styleguide_example.core"
