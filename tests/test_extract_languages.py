"""Extraction in other languages (issue 21, point 4): furniture lines in French, German,
Spanish and Portuguese are dropped, and the summary is in the page's language."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from newsgist.extract import extract_article, is_boilerplate_text
from newsgist.extract.furniture_i18n import CALLS, LABELS, is_i18n_furniture
from support import FIXTURES

LANGUAGES = ("fr", "de", "es", "pt")
# The furniture lines each fixture page holds between its paragraphs.
FURNITURE = {
    "fr": ["Publicité", "La suite après cette publicité",
           "Lire aussi Les tarifs des transports en hausse dans la région", "Partager",
           "Sur le même sujet", "Suivez-nous sur Facebook et Instagram"],
    "de": ["Anzeige", "Das könnte Sie auch interessieren",
           "Lesen Sie auch Neue Radwege für die Innenstadt",
           "Mehr zum Thema | Busse im Landkreis", "Artikel teilen",
           "Folgen Sie uns auf Instagram"],
    "es": ["Publicidad", "Te puede interesar", "Lee también Suben los precios del metro",
           "Compartir", "Sigue leyendo", "Síguenos en Facebook y en Twitter"],
    "pt": ["Publicidade", "Continua após a publicidade",
           "Leia também Tarifas de ônibus sobem no estado", "Compartilhe",
           "Notícias relacionadas", "Siga-nos no Instagram e no Facebook"],
}


def page(lang: str) -> str:
    return (FIXTURES / "languages" / f"{lang}.html").read_text(encoding="utf-8")


def prose(lang: str) -> list[str]:
    text = (FIXTURES / "languages" / f"{lang}.txt").read_text(encoding="utf-8")
    return [p.strip() for p in text.split("\n\n") if p.strip()]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_fixture_holds_its_furniture(lang):
    html = page(lang)
    assert all(line in html for line in FURNITURE[lang])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_furniture_lines_are_dropped_and_the_prose_kept(lang):
    article = extract_article(page(lang))
    assert article.lang == lang
    assert list(article.paragraphs) == prose(lang)
    assert not any(line in article.text for line in FURNITURE[lang])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_summary_is_in_the_page_language_through_the_api(client, lang):
    body = client.post("/v1/summarize", json={"html": page(lang), "sentences": 3}).get_json()
    assert body["lang"] == lang and len(body["sentences"]) == 3
    text = " ".join(prose(lang))
    assert all(s["text"] in text for s in body["sentences"])
    assert not any(line in s["text"] for s in body["sentences"] for line in FURNITURE[lang])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_label_and_call_is_furniture(lang):
    for phrase in LABELS[lang]:
        assert is_boilerplate_text(phrase) and is_boilerplate_text(phrase.upper() + " :"), phrase
    for phrase in CALLS[lang]:
        assert is_i18n_furniture(f"{phrase.capitalize()} sur nos réseaux"), phrase


@pytest.mark.parametrize("sentence", [
    "Lire aussi le rapport complet, publié lundi par la Cour des comptes.",
    "Le maire a partagé la photo sur les réseaux sociaux dimanche soir.",
    "Die Anzeige wurde am Montag bei der Polizei erstattet.",
    "Mehr zum Thema Verkehr will der Rat im Herbst beraten.",
    "Publicidad engañosa: la multa llega a tres millones de euros.",
    "Saiba mais sobre a vacina no posto de saúde do seu bairro",
    "Relacionado com o caso, o ministro falou à imprensa na terça.",
])
def test_prose_that_starts_like_furniture_is_kept(sentence):
    assert not is_i18n_furniture(sentence) and not is_boilerplate_text(sentence)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_cli_summarizes_each_page_in_its_language(lang):
    r = subprocess.run([sys.executable, "-m", "newsgist", "summarize", "--json", "-n", "2",
                        str(FIXTURES / "languages" / f"{lang}.html")], capture_output=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    body = json.loads(r.stdout)
    assert body["lang"] == lang and body["warnings"] == []
    assert body["model"] == "use-multilingual-v3"
    assert all(s["text"] in " ".join(prose(lang)) for s in body["sentences"])
