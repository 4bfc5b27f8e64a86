import sys

from django.core.management.base import BaseCommand, CommandError

from masthead.paywall.audit import AuditError, report_lines, run_audit


class Command(BaseCommand):
    help = (
        "Act as fresh anonymous readers against a running site and report any paywalled text it serves "
        "(exit status 1 on a leak, or when an article page does not show its article)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--base-url", required=True, help="The running site, e.g. http://127.0.0.1:8000")
        parser.add_argument("--timeout", type=float, default=10.0, help="Seconds to wait for each response.")

    def handle(self, *args, base_url: str, timeout: float, **options) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise CommandError("--base-url must start with http:// or https://")
        try:
            report = run_audit(base_url, timeout=timeout)
        except AuditError as error:
            raise CommandError(str(error), returncode=2) from error
        for line in report_lines(report):
            self.stdout.write(line)
        if report.leaks:
            self.stderr.write(self.style.ERROR("Paywalled text was served to a reader without access."))
            sys.exit(1)
        if report.missing:
            self.stderr.write(self.style.ERROR("Some article pages did not show their article: nothing was proved."))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("No paywalled text reached the anonymous readers."))
