"""The example Django project's apps, laid out as in the HackSoft Django Styleguide."""
