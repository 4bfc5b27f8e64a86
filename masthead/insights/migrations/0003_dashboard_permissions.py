from django.db import migrations


class Migration(migrations.Migration):
    """The dashboard's two permissions, on a model without a table."""

    dependencies = [
        ("insights", "0002_audit_run_labels"),
    ]

    operations = [
        migrations.CreateModel(
            name="Dashboard",
            fields=[],
            options={
                "managed": False,
                "default_permissions": (),
                "permissions": [
                    ("view_funnel", "Can see the insights dashboard's article and section tables"),
                    ("view_business", "Can see every table of the insights dashboard"),
                ],
            },
        ),
    ]
