from django.core.management.base import BaseCommand, CommandError

from spam import services


class Command(BaseCommand):
    help = "Precision and recall of the spam filter on a held-out quarter of the decisions (#26)."

    def add_arguments(self, parser):
        parser.add_argument("--held-out", type=int, default=4, help="hold out one in N (4)")

    def handle(self, held_out, **options):
        if held_out < 2:
            raise CommandError("--held-out must be at least 2.")
        try:
            result = services.evaluate(held_out=held_out)
        except services.NotEnoughExamples as reason:
            raise CommandError(str(reason)) from None
        self.stdout.write(
            f"{result['examples']} labelled comments; trained on the others, tested on "
            f"{result['tested']} (one in {held_out}, by id)."
        )
        for name in ("spam", "hold"):
            m = result[name]
            precision = m["tp"] / (m["tp"] + m["fp"]) if m["tp"] + m["fp"] else 1.0
            recall = m["tp"] / (m["tp"] + m["fn"]) if m["tp"] + m["fn"] else 1.0
            self.stdout.write(
                f"{name} from {m['threshold']:.2f}: precision {precision:.1%}, recall "
                f"{recall:.1%} (spam caught {m['tp']}, missed {m['fn']}; good caught "
                f"{m['fp']}, passed {m['tn']})"
            )
