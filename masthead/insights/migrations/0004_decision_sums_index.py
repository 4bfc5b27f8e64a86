from django.db import migrations, models


class Migration(migrations.Migration):
    """The day-and-outcome index grows to cover the dashboard's sums (article and count too), so they are
    read from the index alone; it still serves every query the narrower one did."""

    dependencies = [
        ("insights", "0003_dashboard_permissions"),
        ("publishing", "0007_winback"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="decisioncount", name="decision_day_outcome"),
        migrations.AddIndex(
            model_name="decisioncount",
            index=models.Index(fields=["day", "outcome", "article", "count"], name="decision_day_outcome_sums"),
        ),
    ]
