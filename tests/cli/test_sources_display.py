"""What `citebot ask` shows of a source: its date, the text a person reads, the raw quote in --json, no doubled quotes."""
import json

import pytest

from citebot.cli import main

DOCS = {
    "bees.md": "# Keeping honey bees\n\n*Published 12 April 2023*\n\nA hive needs twenty kilograms of honey to "
               "survive the winter. Beekeepers check the weight in autumn.\n",
    "fares.html": "<html><head><title>Ferry fares</title><meta property=\"article:published_time\" "
                  "content=\"2021-06-08T09:00:00Z\"></head><body><h1>Ferry fares</h1><p>A return ticket on the "
                  "harbour ferry now costs &pound;42 for adults.</p><p>Children travel free.</p></body></html>",
    "mayor.txt": "Mayor speaks\n\n“The new tram line will open in May next year,” the mayor said. "
                 "Residents welcomed the news.\n",
}


@pytest.fixture()
def small_index(news_index):
    """The news articles plus three files (markdown, HTML, text), indexed with the hash embedder."""
    from index import build_index
    from tests.conftest import settle
    from tests.fakes import HashEmbedder

    docs, ix = news_index
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
        settle(docs / name)
    build_index([docs], ix, HashEmbedder())
    return ix


def ask_json(ix, question, capsys):
    assert main(["ask", question, "--index-dir", str(ix), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_citations_carry_the_date_the_raw_quote_and_the_readable_text(small_index, capsys):
    data = ask_json(small_index, "How much does a return ticket on the harbour ferry cost?", capsys)
    c = data["citations"][0]
    assert c["title"] == "Ferry fares" and c["date"] == "2021-06-08"
    assert open(c["source"], encoding="utf-8").read()[c["start"]:c["end"]] == c["quote"]
    assert "&pound;42" in c["quote"] and "£42" in c["text"] and "&pound;" not in c["text"]
    assert "£42" in data["text"]
    bees = ask_json(small_index, "How much honey does a hive need to survive the winter?", capsys)["citations"][0]
    assert (bees["title"], bees["date"]) == ("Keeping honey bees", "2023-04-12")


def test_the_sources_list_shows_dates_and_decoded_text(small_index, capsys):
    assert main(["ask", "How much does a return ticket on the harbour ferry cost?",
                 "--index-dir", str(small_index)]) == 0
    out = capsys.readouterr().out
    sources = out.split("\nSources:\n", 1)[1]
    assert "[1] Ferry fares — 2021-06-08 (fares.html, characters " in sources
    assert "£42" in sources and "&pound;" not in sources


def test_a_quote_that_opens_with_a_quotation_mark_is_not_quoted_twice(small_index, capsys):
    assert main(["ask", "When will the new tram line open?", "--index-dir", str(small_index)]) == 0
    sources = capsys.readouterr().out.split("\nSources:\n", 1)[1]
    assert "\n    “The new tram line will open in May" in sources and "““" not in sources
    assert "Mayor speaks (mayor.txt, characters " in sources  # no date found: none shown
