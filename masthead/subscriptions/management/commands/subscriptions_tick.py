from django.core.management.base import BaseCommand

from masthead.subscriptions.services import subscriptions_tick


class Command(BaseCommand):
    help = (
        "Time-based subscription work for cron (renewals of the local provider, trial reminders, expiries). "
        "Safe to run twice."
    )

    def handle(self, *args, **options) -> None:
        counts = subscriptions_tick()
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
