import sys

from django.core.management.base import BaseCommand, CommandError

from masthead.insights.monitor import MonitorError, monitor_leaks, monitored_url
from masthead.insights.tasks import monitor_leaks_task


class Command(BaseCommand):
    help = (
        "The leak monitor, for cron: audit the paywall of the site at its public address (MASTHEAD_SITE_URL) "
        "as fresh anonymous readers, keep the run for 90 days (admin index) and email the publishers about "
        "any leak, or when the audit cannot run. Exit status 1 when it found a leak or could not run."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--base-url", default="", help="Audit this address instead of MASTHEAD_SITE_URL.")
        parser.add_argument("--timeout", type=float, default=10.0, help="Seconds to wait for each response.")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the run to the task worker (manage.py db_worker) instead of running it here.",
        )

    def handle(self, *args, base_url: str, timeout: float, enqueue: bool, **options) -> None:
        try:
            url = monitored_url(base_url or None)
        except MonitorError as error:
            raise CommandError(str(error)) from error
        if enqueue:
            result = monitor_leaks_task.enqueue(base_url=base_url)
            self.stdout.write(f"leak monitor of {url} handed to the task backend: task {result.id}, {result.status}")
            return
        run = monitor_leaks(url, timeout=timeout)
        if run.error:
            self.stderr.write(self.style.ERROR(f"The leak monitor could not audit {url}: {run.error}"))
            sys.exit(1)
        self.stdout.write(
            f"leak monitor: {url}, {run.articles} non-free articles, {run.roads_checked} roads checked, "
            f"{run.leaks_found} leak(s) found, {run.pages_not_shown} page(s) that did not show their article"
        )
        if run.leaks_found:
            self.stderr.write(self.style.ERROR("Paywalled text was served to a reader without access."))
            sys.exit(1)
        if run.pages_not_shown:
            self.stderr.write(self.style.ERROR("Some article pages did not show their article: nothing was proved."))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("No paywalled text reached the anonymous readers."))
