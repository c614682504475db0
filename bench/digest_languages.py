"""Could a digest group an English and a French page about one story?  (issue 21, point 3)

    python bench/digest_languages.py

Four stories written for this check, each as an English and a French page (not
translations word for word).  For each encoder, the digest's page similarity
(``stories.grouping.page_similarity`` of lead-weighted centroids, no headlines)
of every pair: same story across the languages, and different stories in the same
language and across them; a pair is grouped at ``GroupingParams.threshold``
(0.55, chosen on English pages with all-MiniLM-L6-v2).  Grouping across the
languages is safe only if every same-story pair sits above every different-story
pair and above the threshold.
"""

from __future__ import annotations

from itertools import combinations

from bench_support import BenchArguments  # noqa: E402 (the bootstrap)

STORIES = {
    "ferry": (
        "The electric ferry on Lake Morrow made its first winter crossing on Tuesday. The "
        "trip took forty minutes in a strong north wind. Its batteries still held half their "
        "charge when it docked on the south shore.",
        "Le bac électrique du lac de Morrau a fait mardi sa première traversée d'hiver. Le "
        "trajet a duré quarante minutes par un fort vent du nord. Ses batteries gardaient "
        "encore la moitié de leur charge à l'arrivée sur la rive sud."),
    "budget": (
        "The city council approved a transport budget that buys forty electric buses. Fares "
        "will not rise for two years, the mayor said. The opposition wants night buses and "
        "will go to court.",
        "Le conseil municipal a voté un budget de transport qui achète quarante bus "
        "électriques. Les tarifs ne monteront pas pendant deux ans, selon le maire. "
        "L'opposition réclame des bus de nuit et ira devant le tribunal."),
    "flood": (
        "Heavy rain flooded the old town overnight and closed three schools. Firefighters "
        "pumped water from cellars until dawn. The river is expected to peak on Thursday.",
        "De fortes pluies ont inondé la vieille ville cette nuit et fermé trois écoles. Les "
        "pompiers ont pompé l'eau des caves jusqu'à l'aube. La crue de la rivière devrait "
        "atteindre son maximum jeudi."),
    "football": (
        "The local football club won the cup final two goals to one after extra time. Its "
        "young striker scored both goals. Thousands of fans waited for the team at the "
        "station.",
        "Le club de football local a remporté la finale de la coupe deux buts à un après "
        "prolongation. Son jeune attaquant a marqué les deux buts. Des milliers de "
        "supporters attendaient l'équipe à la gare."),
}


def main(argv: list[str] | None = None) -> None:
    BenchArguments(__doc__).parse_args(argv)   # --smoke: the same run (it reads no data set)
    import numpy as np

    from newsgist.config import Settings
    from newsgist.encoders import Usem3Encoder
    from newsgist.embed import load_encoder
    from newsgist.rank import lead_weighted_centroid
    from newsgist.segment import sentence_spans
    from newsgist.stories.grouping import GroupingParams, page_similarity

    s = Settings()
    encoders = {"all-MiniLM-L6-v2": load_encoder(s.model, s.backend, s.threads, s.cache_dir),
                "use-multilingual-v3": Usem3Encoder()}
    pages = [(story, lang, text) for story, texts in STORIES.items()
             for lang, text in zip(("en", "fr"), texts)]
    threshold = GroupingParams().threshold
    for name, encoder in encoders.items():
        sentences = [[t[a:b] for a, b in sentence_spans(t, lang)] for _, lang, t in pages]
        centroids = np.stack([lead_weighted_centroid(encoder.encode(s)).vector
                              for s in sentences])
        sim = page_similarity(centroids)
        same, other = [], {"en": [], "fr": [], "en-fr": []}
        for i, j in combinations(range(len(pages)), 2):
            (si, li, _), (sj, lj, _) = pages[i], pages[j]
            if si == sj:
                same.append(sim[i, j])
            else:
                other[li if li == lj else "en-fr"].append(sim[i, j])
        wrong = sum(v >= threshold for vs in other.values() for v in vs)
        print(f"{name}: one story, en-fr: {min(same):.2f}-{max(same):.2f}, grouped "
              f"{sum(v >= threshold for v in same)}/{len(same)}; two stories, max "
              + ", ".join(f"{k} {max(v):.2f}" for k, v in other.items())
              + f", grouped {wrong}/{sum(len(v) for v in other.values())} "
              f"(threshold {threshold})")


if __name__ == "__main__":
    main()
