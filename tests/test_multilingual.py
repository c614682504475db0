"""An encoder per language (issue 21, point 2): English keeps its model and its summaries,
languages the multilingual model knows use it, any other the English one with a warning."""

from __future__ import annotations

import pytest

from newsgist.api import create_app
from newsgist.config import Settings
from newsgist.errors import ModelLoadError
from newsgist.multilingual import MODELS, LanguageEncoders, MultilingualModel
from newsgist.pipeline import Pipeline
from support import ARTICLE, FIXTURES, HashingEncoder

LANGUAGES = ("fr", "de", "es", "pt")
SWEDISH = ("Kommunfullmäktige beslutade på måndagen om en ny budget för kollektivtrafiken. "
           "Fyrtio elbussar ska köpas in före våren.\n\nBiljettpriserna ska enligt "
           "borgmästaren vara oförändrade i minst två år. Oppositionen anser att beslutet "
           "kommer för sent och kräver fler nattbussar.")


def text(lang: str) -> str:
    return (FIXTURES / "languages" / f"{lang}.txt").read_text(encoding="utf-8")


class EnglishEncoder(HashingEncoder):
    name = "english-fake"
    languages = frozenset({"en"})


class MultiEncoder(HashingEncoder):
    """Another vector space (word buckets of another size) and its own languages."""

    name = "multi-fake"
    languages = frozenset({"en", "fr", "de", "es", "pt"})

    def __init__(self):
        super().__init__(dim=128)


@pytest.fixture
def loads(monkeypatch):
    """The "fake" multilingual setting; how many times it was loaded."""
    count = []

    def load(threads):
        count.append(threads)
        return MultiEncoder()

    monkeypatch.setitem(MODELS, "fake", MultilingualModel(MultiEncoder.languages, load))
    return count


def pipelines(settings):
    """The same English encoder with the multilingual model on, and off."""
    english = EnglishEncoder()
    on = Pipeline(settings, encoder=english,
                  multilingual=LanguageEncoders(encoder=MultiEncoder()))
    return on, Pipeline(settings, encoder=english)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_language_the_multilingual_model_knows_uses_it_without_a_warning(settings, lang):
    on, off = pipelines(settings)
    summary = on.summarize_text(text(lang), sentences=2)
    assert summary.model == "multi-fake" and summary.warnings == []
    before = off.summarize_text(text(lang), sentences=2)
    assert before.model == "english-fake" and "knows English only" in before.warnings[0]


def test_english_is_embedded_by_the_english_model_and_chooses_the_same(settings, news_html):
    on, off = pipelines(settings)
    for summarize in (lambda p: p.summarize_html(news_html, sentences=4),
                      lambda p: p.summarize_text(ARTICLE, sentences=2)):
        with_multi, without = summarize(on), summarize(off)
        assert with_multi.article.lang == "en" and with_multi.model == "english-fake"
        assert [s.text for s in with_multi.sentences] == [s.text for s in without.sentences]
        assert [s.score for s in with_multi.sentences] == [s.score for s in without.sentences]


def test_a_language_it_does_not_know_keeps_the_english_model_and_the_warning(settings):
    on, _ = pipelines(settings)
    summary = on.summarize_text(SWEDISH, sentences=2)
    assert summary.article.lang == "sv" and summary.model == "english-fake"
    assert len(summary.warnings) == 1 and "'sv'" in summary.warnings[0]


def test_the_multilingual_model_loads_on_the_first_page_that_needs_it(settings, loads):
    pipe = Pipeline(settings.with_(multilingual_model="fake"), encoder=EnglishEncoder(),
                    multilingual=LanguageEncoders("fake"))
    pipe.summarize_text(ARTICLE, sentences=2)
    assert loads == [] and not pipe.multilingual.loaded
    assert pipe.summarize_text(text("fr"), sentences=2).model == "multi-fake"
    pipe.summarize_text(text("de"), sentences=2)
    assert len(loads) == 1


def test_a_multilingual_model_that_cannot_load_leaves_the_english_one_and_the_warning(
        settings, monkeypatch):
    def broken(threads):
        raise ModelLoadError("the package is missing")

    monkeypatch.setitem(MODELS, "broken", MultilingualModel(MultiEncoder.languages, broken))
    pipe = Pipeline(settings, encoder=EnglishEncoder(), multilingual=LanguageEncoders("broken"))
    summary = pipe.summarize_text(text("fr"), sentences=2)
    assert summary.model == "english-fake" and "knows English only" in summary.warnings[0]
    assert not pipe.multilingual.enabled


def test_the_setting_chooses_the_model_or_turns_it_off():
    assert Settings.from_env({}).multilingual_model == "usem3"
    off = Settings.from_env({"NEWSGIST_MULTILINGUAL_MODEL": "off"})
    assert not LanguageEncoders.of(off, None).serves("fr")
    usem3 = LanguageEncoders.of(Settings(), None)
    assert usem3.serves("fr") and usem3.serves("pt") and not usem3.serves("en")
    assert not usem3.serves("sv") and not usem3.serves(None) and not usem3.loaded
    with pytest.raises(ModelLoadError, match="NEWSGIST_MULTILINGUAL_MODEL"):
        LanguageEncoders("no-such-model")


def test_health_lists_the_languages_served(settings):
    on, off = pipelines(settings)
    for pipe, expected in ((on, ["de", "en", "es", "fr", "pt"]), (off, ["en"])):
        client = create_app(settings, pipe).test_client()
        assert client.get("/v1/health").get_json()["languages"] == expected
    served = Pipeline(Settings())   # nothing loaded: the languages come from the settings
    body = create_app(settings, served).test_client().get("/v1/health").get_json()
    assert body["status"] == "loading" and {"en", "fr", "de", "es", "pt"} <= set(
        body["languages"])


# -- the real models ------------------------------------------------------------------------
@pytest.mark.slow
def test_english_summaries_do_not_change_with_the_real_multilingual_model(real_pipeline,
                                                                         news_html):
    """The pin of the issue: all-MiniLM-L6-v2 embeds English pages, with or without the
    multilingual model configured, and chooses the same sentences."""
    off = Pipeline(Settings(multilingual_model="off"), encoder=real_pipeline.encoder)
    on = real_pipeline
    assert on.multilingual.enabled
    for k in (2, 3, 5):
        with_multi = on.summarize_html(news_html, sentences=k)
        without = off.summarize_html(news_html, sentences=k)
        assert with_multi.model == without.model == "all-MiniLM-L6-v2"
        assert [s.text for s in with_multi.sentences] == [s.text for s in without.sentences]


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_real_multilingual_model_summarizes_each_fixture(real_pipeline, lang):
    summary = real_pipeline.summarize_text(text(lang), sentences=2)
    assert summary.article.lang == lang and summary.model == "use-multilingual-v3"
    assert summary.warnings == [] and len(summary.sentences) == 2
    assert all(s.text in text(lang) for s in summary.sentences)


# -- a digest's pages share one encoder ----------------------------------------------------
def test_a_digest_embeds_its_pages_with_one_encoder_that_knows_them_all():
    from newsgist.multilingual import shared_language

    usem3 = LanguageEncoders("usem3")
    assert shared_language(usem3, ["en", "en", None]) is None        # English: as before
    assert shared_language(usem3, ["en", "fr"]) == "fr"              # USE knows both
    assert shared_language(usem3, ["fr", "de"]) == "de"
    assert shared_language(usem3, ["fr", "sv"]) is None              # sv: English for all
    assert shared_language(LanguageEncoders.off(), ["fr"]) is None


FLOOD_FR = ("De fortes pluies ont inondé la vieille ville de Saint-Aubin cette nuit et fermé "
            "trois écoles. Les pompiers ont pompé l'eau des caves jusqu'à l'aube.\n\nLa crue de "
            "la rivière devrait atteindre son maximum jeudi, selon la préfecture. Les habitants "
            "des quais ont été invités à monter leurs meubles à l'étage.")


@pytest.mark.slow
def test_a_digest_groups_one_story_across_languages_and_not_two_stories(real_pipeline):
    """Measured in bench/digest_languages.py: with USE-Multilingual an English and a French
    page of one story group at the digest's threshold, French pages of two stories do not."""
    from newsgist.stories import Page, build_digest

    english, french = Page(text=ARTICLE, url="https://a.example/buses"), \
        Page(text=text("fr"), url="https://b.example/bus")
    one = build_digest(real_pipeline, [english, french], sentences=3)
    assert [sorted(s.page for s in story.sources) for story in one.stories] == [[0, 1]]
    assert one.model == "use-multilingual-v3" and one.warnings == []
    two = build_digest(real_pipeline, [french, Page(text=FLOOD_FR, url="https://c.example/")],
                       sentences=3)
    assert two.stories == [] and len(two.singles) == 2
    english_only = build_digest(real_pipeline, [english], sentences=3)
    assert english_only.model == "all-MiniLM-L6-v2"
