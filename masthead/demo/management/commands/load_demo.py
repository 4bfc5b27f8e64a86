from django.core.management.base import BaseCommand

from masthead.demo.loader import demo_load


class Command(BaseCommand):
    help = "Load the demo newsroom (idempotent) and print the demo logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--site-url", default="http://127.0.0.1:8000", help="Where the site is served, for the printed login."
        )

    def handle(self, *args, **options) -> None:
        report = demo_load()
        if report.changed:
            self.stdout.write(f"Demo content: {len(report.created)} created, {len(report.updated)} updated.")
            for line in report.updated:
                self.stdout.write(f"  updated {line}")
        else:
            self.stdout.write("Demo content already in place; nothing changed.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin login: {options['site_url']}/admin/  user: admin  password: "
                + report.password
                + "\n(also 'editor', 'author' and 'publisher' with the same password, to try the newsroom roles)"
            )
        )
