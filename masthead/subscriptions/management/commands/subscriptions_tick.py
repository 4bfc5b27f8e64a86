from django.core.management.base import BaseCommand

from masthead.subscriptions.services import subscriptions_tick


class Command(BaseCommand):
    help = (
        "Time-based subscription work for cron (renewals and retries of the local provider, trial reminders, "
        "dunning emails, card expiry notices, expiries). Safe to run twice, or two at once."
    )

    def handle(self, *args, **options) -> None:
        counts = subscriptions_tick()
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
