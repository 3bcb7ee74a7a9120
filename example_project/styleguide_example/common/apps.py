"""App config of styleguide_example.common."""

from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "styleguide_example.common"
