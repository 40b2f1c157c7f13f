"""Options and help text the commands share: output formats, script, the
``report`` command, and the exit codes and examples under every ``--help``."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from .scripts import SCRIPTS
from .writers import FORMATS

EXIT_CODES = """exit codes:
  0  every input was processed
  1  some inputs failed (each named on standard error); the others were processed and written
  2  usage error: unknown option, bad date, missing argument, impossible combination
  141  standard output closed early by its reader (| head): output stopped there, quietly"""

EXAMPLES = {
    "extract": """examples:
  python -m pipeline extract corpora/articles -o out/facts.jsonl
  python -m pipeline extract news/ -o out/facts.parquet          # format from the extension
  python -m pipeline extract news/ -o out/facts.csv --bom        # CSV that Excel opens as UTF-8
  cat article.txt | python -m pipeline extract - -o - --format json --script tw""",
    "report": """examples:
  python -m pipeline report corpora/articles -o out/report.html
  python -m pipeline report news/a.txt news/b.txt --date 2025-11-14 --script hk""",
    "eval": """examples:
  python -m pipeline eval
  python -m pipeline eval --show-errors
  python -m pipeline eval --misses --set corpora                 # what each article lost, and at which level
  python -m pipeline eval --misses --article tw_tsmc""",
    "debug": """examples:
  python -m pipeline debug '台积电第三季营收9899.2亿元，季增6%、年增30.3%。' --date 2025-10-16""",
}


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """--format, --bom, --script for a command that writes facts."""
    parser.add_argument("-f", "--format", choices=FORMATS, default=None,
                        help="output format; default: from the output file's extension "
                             "(.jsonl/.ndjson, .json, .csv, .parquet), else jsonl")
    parser.add_argument("--bom", action="store_true",
                        help="CSV only: start the file with a UTF-8 byte order mark, so Excel reads it as UTF-8")
    add_script_option(parser)


def add_script_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--script", choices=tuple(SCRIPTS), default=None,
                        help="write subject names, segments and counting-word units in this script "
                             "(OpenCC: traditional s2t, tw s2tw, hk s2hk, simplified t2s); "
                             "evidence and subject_text stay as written in the article")


def add_report_parser(sub, date_arg: Callable[[str], object]) -> argparse.ArgumentParser:
    rp = sub.add_parser("report", help="write an HTML page showing each article's highlights and facts",
                        description="Extract every input and write one self-contained HTML page: each article "
                                    "with its numbers, companies, metric words and periods highlighted, and the "
                                    "table of its facts beside it; clicking a fact scrolls to its number.")
    rp.add_argument("inputs", nargs="+", metavar="PATH", help="file, folder or '-' for standard input")
    rp.add_argument("-o", "--output", default="out/report.html", help="the HTML file (default: %(default)s)")
    rp.add_argument("--date", type=date_arg, metavar="YYYY-MM-DD", help="publication date for articles whose metadata has none")
    rp.add_argument("--title", default="finfacts report", help="the page title (default: %(default)s)")
    add_script_option(rp)
    rp.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    return rp


def finish_help(parser: argparse.ArgumentParser, sub) -> None:
    """Exit codes (and examples) at the foot of every command's --help."""
    for name, command in sub.choices.items():
        command.formatter_class = argparse.RawDescriptionHelpFormatter
        command.epilog = "\n\n".join(part for part in (EXAMPLES.get(name), EXIT_CODES) if part)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = (EXIT_CODES + "\n\nRun 'python -m pipeline COMMAND --help' for a command's options.")
