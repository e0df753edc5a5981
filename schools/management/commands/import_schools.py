from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from schools.gias import GiasFormatError, import_rows, read_rows


class Command(BaseCommand):
    help = (
        "Import or update schools from a 'Get Information about Schools' establishment CSV "
        "(edubasealldataYYYYMMDD.csv). URN is the key: re-importing updates, never duplicates."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_path", type=Path)
        parser.add_argument(
            "--la",
            action="append",
            dest="local_authorities",
            metavar="NAME",
            help="Only this local authority (repeatable), e.g. --la Haringey --la Enfield.",
        )
        parser.add_argument(
            "--census-year",
            type=int,
            help="Record NumberOfPupils as this October census year's figure where none is recorded.",
        )

    def handle(self, *args, csv_path: Path, local_authorities, census_year, **options):
        if not csv_path.exists():
            raise CommandError(f"No such file: {csv_path}")
        try:
            rows = read_rows(csv_path)
        except GiasFormatError as exc:
            raise CommandError(str(exc)) from exc
        with tqdm(
            total=len(rows), unit="row", disable=options.get("verbosity", 1) == 0, file=self.stderr._out
        ) as bar:
            result = import_rows(
                rows,
                local_authorities=set(local_authorities or []) or None,
                census_year=census_year,
                progress=lambda: bar.update(1),
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
                f"{len(result.skipped)} skipped."
            )
        )
        for reason in result.skipped[:20]:
            self.stdout.write(f"  skipped {reason}")
