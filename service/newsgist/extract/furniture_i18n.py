"""Furniture lines in the languages served besides English, as data (issue 21, point 4).

``rules`` drops "Advertisement", "Read more: ...", "Share this" and calls to
subscribe by their English words (and a few others it has long known).  These
are the same lines in French, German, Spanish and Portuguese, as news pages
print them between paragraphs; ``is_i18n_furniture`` judges a short line by them.

Three kinds, each matched case-insensitively on a line of at most
``MAX_WORDS`` words:

* ``LABELS``: the whole line is the label ("Publicité", "Partager", "Anzeige"),
  trailing punctuation aside;
* ``LEAD_INS``: the line starts with the phrase and goes on with a linked
  headline ("Lire aussi : ...", "Mehr zum Thema | ...", "Leia também ..."): a
  separator follows, or the rest is a headline (no final period);
  ``SEPARATED_LEAD_INS``, phrases that may start prose, need the separator;
* ``CALLS``: the line holds a call to follow or subscribe ("Suivez-nous sur",
  "Jetzt abonnieren"): phrases no article sentence uses.
"""

from __future__ import annotations

import re

MAX_WORDS = 25

LABELS = {
    "fr": ("publicité", "pub", "partager", "partager cet article", "partagez", "commentaires",
           "commenter", "réagir", "lire la suite", "lire plus", "voir plus", "voir aussi",
           "à lire aussi", "lire aussi", "sur le même sujet", "suivez-nous", "imprimer",
           "envoyer", "articles liés", "articles similaires", "à voir aussi", "à découvrir",
           "contenu sponsorisé", "la suite après cette publicité",
           "la suite après la publicité"),
    "de": ("anzeige", "werbung", "teilen", "artikel teilen", "kommentare", "weiterlesen",
           "mehr lesen", "mehr zum thema", "lesen sie auch", "auch interessant",
           "das könnte sie auch interessieren", "drucken", "verwandte artikel",
           "weitere artikel", "folgen sie uns", "gesponsert", "mehr anzeigen",
           "artikel weiterlesen", "zum artikel"),
    "es": ("publicidad", "anuncio", "compartir", "comparte", "comentarios", "leer más",
           "ver más", "lee también", "lea también", "ver también", "te puede interesar",
           "también te puede interesar", "noticias relacionadas", "síguenos", "imprimir",
           "contenido patrocinado", "más información", "sigue leyendo"),
    "pt": ("publicidade", "anúncio", "compartilhe", "compartilhar", "partilhar", "partilhe",
           "comentários", "leia mais", "leia também", "veja também", "veja mais",
           "saiba mais", "siga-nos", "imprimir", "notícias relacionadas",
           "conteúdo patrocinado", "continua após a publicidade",
           "continua depois da publicidade", "continue lendo", "mais lidas"),
}

LEAD_INS = {
    "fr": ("lire aussi", "à lire aussi", "a lire aussi", "lire également", "voir aussi",
           "à voir aussi", "sur le même sujet"),
    "de": ("lesen sie auch", "mehr zum thema", "siehe auch", "auch interessant"),
    "es": ("lee también", "lea también", "ver también", "te puede interesar"),
    "pt": ("leia também", "veja também"),
}
# Lead-ins that start prose too ("Saiba mais sobre a vacina"): furniture only when a
# separator follows them ("Saiba mais: ...").
SEPARATED_LEAD_INS = {
    "fr": ("à lire", "lire la suite", "découvrir aussi", "en savoir plus"),
    "de": ("zum thema", "weiterlesen", "lesen sie mehr", "mehr dazu"),
    "es": ("leer más", "lee más", "más información", "relacionado", "relacionada"),
    "pt": ("leia mais", "veja mais", "saiba mais", "relacionado", "relacionadas"),
}

CALLS = {
    "fr": ("suivez-nous", "abonnez-vous", "inscrivez-vous à notre", "téléchargez l'application",
           "téléchargez notre application", "recevez notre newsletter",
           "rejoignez-nous sur", "partagez cet article"),
    "de": ("folgen sie uns", "jetzt abonnieren", "abonnieren sie unseren",
           "melden sie sich für unseren", "laden sie unsere app", "teilen sie diesen artikel"),
    "es": ("síguenos en", "suscríbete", "suscríbase", "descarga nuestra app",
           "descarga la app", "recibe nuestro boletín", "comparte esta noticia",
           "únete a nuestro canal"),
    "pt": ("siga-nos", "assine já", "assine agora", "inscreva-se", "baixe o app",
           "baixe nosso app", "receba nossa newsletter", "compartilhe esta notícia",
           "entre no nosso canal", "participe do nosso canal"),
}


def _alternatives(phrases: dict[str, tuple[str, ...]]) -> str:
    # Longest first, so "à lire aussi" is tried before "lire aussi".
    words = sorted({p for ps in phrases.values() for p in ps}, key=len, reverse=True)
    return "|".join(re.escape(w) for w in words)


_LABEL = re.compile(rf"^[\W_]*(?:{_alternatives(LABELS)})[\s:.!…»>|]*$", re.I)
_SEPARATOR = r"\s*[:|>»–—]+"
_LEAD_IN = re.compile(rf"^[\W_]*(?:{_alternatives(LEAD_INS)})(?P<sep>{_SEPARATOR}|\s)\s*"
                      rf"(?P<rest>.*)$", re.I)
_SEPARATED_LEAD_IN = re.compile(rf"^[\W_]*(?:{_alternatives(SEPARATED_LEAD_INS)}){_SEPARATOR}",
                                re.I)
_CALL = re.compile(rf"(?:^|\W)(?:{_alternatives(CALLS)})(?:\W|$)", re.I)


def is_i18n_furniture(text: str) -> bool:
    """A short line that is page furniture by its French, German, Spanish or
    Portuguese words (a label, a "read also" lead-in, a call to follow)."""
    line = text.strip()
    if not line or len(line.split()) > MAX_WORDS:
        return False
    if _LABEL.match(line) or _CALL.search(line) or _SEPARATED_LEAD_IN.match(line):
        return True
    lead = _LEAD_IN.match(line)
    if lead is None:
        return False
    # "Lire aussi : <headline>" or "Lire aussi <headline>", never "Lire aussi le rapport."
    return bool(lead["sep"].strip()) or not lead["rest"].rstrip().endswith((".", "!", "?"))
