from pathlib import Path

import pytest

from index.clean import clean_text, parse_date
from index.clean import clean_html
from index.ingest import load_document, load_documents
from index.markup import markdown_images, plain

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def kept_text(raw, cleaned):
    return "\n".join(raw[b.start:b.end] for b in cleaned.blocks)


def test_markdown_image_with_nested_brackets_is_removed_whole():
    raw = "Real sentence one.\n\n![Alt with [special] brackets. More alt.](https://x.org/a(1).jpg)\n\nReal two."
    spans = markdown_images(raw)
    assert len(spans) == 1 and raw[spans[0][0]:spans[0][1]].endswith("a(1).jpg)")
    text = kept_text(raw, clean_text(raw))
    assert "Alt with" not in text and "Real sentence one." in text and "Real two." in text


def test_gov_chrome_breadcrumb_and_footer_are_dropped_title_and_date_found():
    raw = ("U.S. flag\n\nAn official website of the United States government\n\nOfficial websites use .gov\n"
           "A .gov website belongs to an official government organization in the United States.\n\n"
           "Breadcrumb\n\n  1. Home\n  2. News\n  3. Minister Visits Port\n\nMinister Visits Port\n\n"
           "Release Date: March 3, 2020\n\nThe minister visited the port on Monday. She met dockworkers.\n\n"
           "Last Updated: 09/14/2021\nWas this page helpful?\nThis page was not helpful because the content")
    c = clean_text(raw)
    text = kept_text(raw, c)
    assert c.title == "Minister Visits Port"
    assert c.date == "2020-03-03"
    assert text == "The minister visited the port on Monday. She met dockworkers."


def test_repeated_headline_and_photo_credit_are_dropped():
    raw = "Big News Today\n\nBig News Today\n© Getty Images\n\nThe first real sentence is here. Another follows."
    c = clean_text(raw)
    assert c.title == "Big News Today"
    assert kept_text(raw, c) == "The first real sentence is here. Another follows."


def test_a_list_label_c_is_content_but_a_copyright_line_is_not():
    raw = ("Rules\n\n(b) Affected ADs\n\nThis AD replaces an earlier one.\n\n(c) Applicability\n\n"
           "This AD applies to all airplanes.\n\n(c) 2020 Example Press\n\n© Example Photo Agency")
    text = kept_text(raw, clean_text(raw))
    assert "(c) Applicability" in text and "(b) Affected ADs" in text
    assert "2020 Example Press" not in text and "Photo Agency" not in text


def test_seed_junk_never_reaches_the_index_text():
    docs, skipped = load_documents([SEEDS])
    assert not skipped and len(docs) == 5
    text = {d.doc_id.removesuffix(".txt"): kept_text(d.raw, d) for d in docs}
    assert "Khyber" not in text["000_84c6a3819d0616ca"] and "Peshawar" not in text["000_84c6a3819d0616ca"]
    gov = text["004_ae11e2517966b1c0"]
    for junk in ("Official websites use", "Breadcrumb", "Was this page helpful", "Last Updated", "lock ()"):
        assert junk not in gov
    assert "Kirstjen M. Nielsen met with foreign and security ministers" in gov
    assert "© Getty" not in text["002_03a7940179077c37"]
    assert text["002_03a7940179077c37"].count("Biden administration to announce new efforts") == 0


def test_titles_and_dates_of_seeds():
    d = {p.stem: load_document(p) for p in SEEDS.iterdir()}
    assert d["004_ae11e2517966b1c0"].title.startswith("Readout from Secretary Kirstjen M. Nielsen")
    assert d["004_ae11e2517966b1c0"].date == "2018-07-11"
    assert d["003_f52d19d8c2480346"].date == "2021-06-08"
    assert d["002_03a7940179077c37"].title.startswith("Biden administration to announce")
    assert not d["003_f52d19d8c2480346"].raw[d["003_f52d19d8c2480346"].blocks[0].start:].startswith("date")


def test_html_blocks_skip_navigation_and_keep_inline_markup_inside_spans():
    raw = ("<html><head><title>Port Visit</title><script>var x = 1;</script></head><body>"
           "<nav><a href='/'>Home</a></nav><h1>Port Visit</h1>"
           "<p>The minister <b>visited</b> the port &amp; met workers on Monday.</p>"
           "<footer>Copyright 2020</footer></body></html>")
    c = clean_html(raw)
    assert c.title == "Port Visit"
    assert len(c.blocks) == 1
    span = raw[c.blocks[0].start:c.blocks[0].end]
    assert plain(span) == "The minister visited the port & met workers on Monday."


def test_bad_files_are_skipped_with_a_reason(tmp_path):
    (tmp_path / "empty.txt").write_text("   \n")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02abc")
    (tmp_path / "latin.txt").write_bytes("caf\xe9 au lait. Another one.".encode("latin-1"))
    (tmp_path / "good.md").write_text("A good article sentence about ports. And another sentence here.")
    docs, skipped = load_documents([tmp_path])
    assert [d.doc_id for d in docs] == ["good.md", "latin.txt"]  # not UTF-8: read as Windows-1252
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["bin.txt"] == "binary file"
    assert "latin.txt" not in reasons and docs[1].raw.startswith("caf\xe9") and docs[1].stored


def test_parse_date_formats():
    assert parse_date("July 11, 2018") == "2018-07-11"
    assert parse_date("2021-06-08") == "2021-06-08"
    assert parse_date("not a date") is None


def test_a_lead_in_line_stays_with_the_list_it_introduces():
    raw = ("Ministers Meet\n\nThe ministers met on Monday.\n\nCommitments:\n\n  • Expand asylum capacity.\n"
           "  • Share data.\n\nSection Two\n\nThey will meet again.")
    c = clean_text(raw)
    text = kept_text(raw, c)
    assert c.title == "Ministers Meet"
    assert "Commitments:" in text and "Expand asylum capacity." in text
    assert "Section Two" not in text


def test_markdown_heading_markers_are_not_part_of_the_title_or_text():
    body = "A hive needs twenty kilograms of honey for the winter. Beekeepers check it in autumn.\n"
    for raw in ("# Keeping honey bees\n\n" + body,
                "# Keeping honey bees #\n\n" + body,
                "Keeping honey bees\n==================\n\n" + body,
                "---\ntitle: \"Keeping honey bees\"\ntags: [bees]\n---\n\n" + body,
                "Site menu\n\n# Keeping honey bees\n\n## Getting started\n\n" + body):
        c = clean_text(raw)
        assert c.title == "Keeping honey bees", raw
        assert kept_text(raw, c) == body.strip()
    c = clean_text("# Should you keep bees?\n\n" + body)  # a title that ends like a sentence is still the title
    assert c.title == "Should you keep bees?"
    raw = "# Bees\n\n### Bees need water.\n\n" + body  # a heading names its section, without its markers
    c = clean_text(raw)
    assert kept_text(raw, c).startswith("A hive") and c.sections[-1][1] == "Bees need water."
    c = clean_text("Intro line here.\n\n---\n\n" + body)  # a rule is neither front matter nor text
    assert "---" not in kept_text("Intro line here.\n\n---\n\n" + body, c)


def test_a_markdown_file_indexed_keeps_its_title_and_date(tmp_path):
    from index import build_index
    from index.reader import LoadedIndex
    from tests.fakes import HashEmbedder

    docs = tmp_path / "docs"
    docs.mkdir()
    raw = ("# Keeping honey bees\n\n*Published 12 April 2023*\n\n"
           "A hive needs twenty kilograms of honey for the winter. Beekeepers check it in autumn.\n")
    (docs / "bees.md").write_text(raw, encoding="utf-8")
    build_index([docs], tmp_path / "ix", HashEmbedder())
    ix = LoadedIndex(tmp_path / "ix", HashEmbedder())
    [p] = [ix.passage(i, 1.0) for i in range(len(ix))]
    assert (p.title, p.date) == ("Keeping honey bees", "2023-04-12")
    assert raw[p.start:p.end] == p.text and p.text.startswith("A hive needs")


@pytest.mark.parametrize("first, title", [
    ("GUATEMALA CITY (AP) — Vice President Harris met the president. More text.", "Vice President Harris met the president."),
    ("WASHINGTON – The United States will announce steps. More.", "The United States will announce steps."),
    ("NASA launched a rocket on Monday. More.", "NASA launched a rocket on Monday."),
])
def test_a_title_taken_from_the_first_sentence_drops_a_news_dateline(first, title):
    assert clean_text(first + "\n").title == title
