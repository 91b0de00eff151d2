"""Publication dates: the forms pages write them in, where they may stand, and what is never read as one."""
import pytest

from index.clean import clean_text
from index.dates import date_line, date_prefix, dateline, parse_date
from index.clean import clean_html


@pytest.mark.parametrize("text, iso", [
    ("2021-06-08", "2021-06-08"),
    ("2021-06-08T10:00:00Z", "2021-06-08"),
    ("2023-04-12T08:00:00+02:00", "2023-04-12"),
    ("2021/06/08", "2021-06-08"),
    ("July 11, 2018", "2018-07-11"),
    ("Jul. 11, 2018", "2018-07-11"),
    ("June 8th 2021", "2021-06-08"),
    ("Tuesday, June 8, 2021", "2021-06-08"),
    ("12 April 2023", "2023-04-12"),
    ("12th of April, 2023", "2023-04-12"),
    ("Sept 3, 2020", "2020-09-03"),
    ("09/14/2021", "2021-09-14"),
    ("14/09/2021", "2021-09-14"),
    ("June 8, 2021 10:30 AM EDT", "2021-06-08"),
    ("'2021-06-08'", "2021-06-08"),
    ("2021-02-30", None),
    ("June 2021", None),
    ("2021", None),
    ("June 8, 2021 and more words", None),
    ("not a date", None),
    ("", None),
])
def test_parse_date(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize("line, iso, labelled, published", [
    ("Published 2023-04-12", "2023-04-12", True, True),
    ("*Published 12 April 2023*", "2023-04-12", True, True),
    ("_Posted on June 8, 2021_", "2021-06-08", True, True),
    ("Release Date: July 11, 2018", "2018-07-11", True, True),
    ("date: 2021-06-08", "2021-06-08", True, True),
    ("date 2021-06-08", "2021-06-08", True, True),
    ("Published: June 8, 2021 at 10:30 a.m. ET", "2021-06-08", True, True),
    ("Updated June 9, 2021", "2021-06-09", True, False),
    ("Last modified: 2021-06-09", "2021-06-09", True, False),
    ("June 8, 2021", "2021-06-08", False, True),
])
def test_a_line_that_states_a_date(line, iso, labelled, published):
    found = date_line(line)
    assert (found.iso, found.labelled, found.published) == (iso, labelled, published)


@pytest.mark.parametrize("line", [
    "The bridge reopened on June 8, 2021 after repairs.",
    "Published in 2021 by the city council.",
    "Date night ideas for June 8, 2021",
    "Posted by Jane Doe",
    "Room 2021-06 is closed.",
])
def test_lines_that_are_not_a_date(line):
    assert date_line(line) is None


def test_a_label_and_date_opening_a_paragraph_and_a_news_dateline():
    text = " date 2021-06-08 GUATEMALA CITY (AP) — Vice President Kamala Harris"
    found = date_prefix(text)
    assert found.iso == "2021-06-08" and text[found.end:].startswith("GUATEMALA CITY")
    assert date_prefix("Published 12 April 2023, the report found it.") is None  # a sentence, not a prefix
    assert dateline("WASHINGTON, June 7, 2021 (Reuters) - The United States said") == "2021-06-07"
    assert dateline("GUATEMALA CITY, Guatemala, June 7, 2021 (AP) — Harris") == "2021-06-07"
    assert dateline("The bridge, June 7, 2021, reopened") is None


BODY = "The council met on Monday. It approved the budget.\n\nThe mayor spoke next. She thanked the staff.\n\n"


@pytest.mark.parametrize("raw, iso", [
    ("Council meets\n\nPublished 2023-04-12\n\n" + BODY, "2023-04-12"),
    ("Council meets\n\n*Published 12 April 2023*\n\n" + BODY, "2023-04-12"),
    ("Council meets\n\nJune 8, 2021\n\n" + BODY, "2021-06-08"),
    ("Council meets\n\n" + BODY + "Release Date: July 11, 2018\n", "2018-07-11"),  # labelled: anywhere
    ("---\ntitle: Council meets\ndate: 2021-06-08\n---\n\n" + BODY, "2021-06-08"),
    ("---\ntitle: Council meets\ndate: 2021-06-08 10:00:00\n---\n\n" + BODY, "2021-06-08"),
    ("WASHINGTON, June 7, 2021 (Reuters) - " + BODY, "2021-06-07"),
    ("Council meets\n\nUpdated June 9, 2021\n\n" + BODY, None),              # an update is not the date
    ("Council meets\n\n" + BODY + "June 8, 2021\n", None),                   # a bare date far down
    ("Council meets\n\n" + BODY + "Published 12 April 2023, the report found it.\n", None),
    ("Council meets\n\nThe budget of 2021-06-08 was 12 April 2023 long.\n\n" + BODY, None),
])
def test_the_date_of_a_text_page(raw, iso):
    c = clean_text(raw)
    assert c.date == iso
    kept = "\n".join(raw[b.start:b.end] for b in c.blocks)
    assert not any(date_line(line) for line in kept.splitlines()) and "---" not in kept  # metadata is not text
    assert "It approved the budget." in kept and ("the report found it" in kept) == ("the report found it" in raw)


def test_a_date_line_is_never_the_title():
    c = clean_text("June 8, 2021\n\nCouncil meets\n\n" + BODY)
    assert c.title == "Council meets" and c.date == "2021-06-08"


def page(head: str = "", body: str = "") -> str:
    return (f"<html><head><title>Council meets</title>{head}</head><body>{body}<article><h1>Council meets</h1>"
            "<p>The council met on Monday. It approved the budget.</p></article></body></html>")


@pytest.mark.parametrize("raw, iso", [
    (page('<meta property="article:published_time" content="2023-04-12T08:00:00+00:00">'), "2023-04-12"),
    (page('<meta property="article:modified_time" content="2024-01-01T00:00:00Z">'
          '<meta name="date" content="2021-06-08">'), "2021-06-08"),
    (page('<meta name="pubdate" content="20210608">'), None),  # not a date in any written form
    (page('<meta itemprop="datePublished" content="2021-06-08">'), "2021-06-08"),
    (page('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2020-03-03T10:00:00Z"}'
          '</script>'), "2020-03-03"),
    (page(body='<time datetime="2021-06-08T10:00">June 8, 2021</time>'), "2021-06-08"),
    (page(body='<aside><time datetime="2020-01-01">Jan 1</time></aside>'), None),  # another page's date
    (page(body='<time datetime="2020-01-01">a</time><time pubdate datetime="2021-06-08">b</time>'), "2021-06-08"),
    (page('<meta property="article:published_time" content="2023-04-12">',
          '<p>Published June 8, 2021</p>'), "2023-04-12"),                   # metadata wins over the text
    (page(body="<p>Published June 8, 2021</p>"), "2021-06-08"),
])
def test_the_date_of_an_html_page(raw, iso):
    assert clean_html(raw).date == iso
