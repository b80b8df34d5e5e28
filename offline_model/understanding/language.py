"""Which language a ticket is written in: English unless another language's common words clearly
outnumber English ones. Replies are written in that language where templates exist."""

from __future__ import annotations

from offline_model.understanding.text import fold, words

# Common words of each language, separated by spaces.
_STOPWORDS = {
    "en": "the and to of my is it i you for in on please order thanks hello hi would could can have this that with be",
    "es": (
        "el la los las de del mi por favor pedido gracias hola quisiera que lo ya no necesito es un una con para y en "
        "su cancelar saludo buenas"
    ),
    "fr": (
        "le la les de du mon ma mes je vous pour commande merci bonjour s'il plait est une un avec et pas ne j'ai "
        "pourriez annuler"
    ),
    "de": (
        "der die das und ich mein meine bitte bestellung danke hallo ist nicht mit fur ein eine sie zu den stornieren"
    ),
    "pt": (
        "o a os as de do da meu minha por favor pedido obrigado obrigada ola que nao com para e um uma cancelar quero"
    ),
    "it": "il lo la gli le di del mio mia per favore ordine grazie ciao salve che non con un una e vorrei annullare",
}
_SETS = {lang: set(fold(w) for w in ws.split()) for lang, ws in _STOPWORDS.items()}
SUPPORTED = tuple(_STOPWORDS)


def detect(text: str) -> str:
    tokens = [fold(t) for t in words(text)]
    if not tokens:
        return "en"
    counts = {lang: sum(1 for t in tokens if t in vocab) for lang, vocab in _SETS.items()}
    best = max(counts, key=lambda lang: (counts[lang], lang == "en"))
    if best != "en" and counts[best] >= 3 and counts[best] > counts["en"] * 1.5:
        return best
    return "en"
