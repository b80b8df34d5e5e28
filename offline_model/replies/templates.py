"""Reply sentences per language, one module per language in offline_model.replies.languages.
English is the reference; every other language has exactly its keys, with the same placeholders
(tests/offline/test_templates.py). render.say falls back to English for a key a language lacks."""

from __future__ import annotations

from offline_model.replies.languages.de import DE
from offline_model.replies.languages.en import EN
from offline_model.replies.languages.es import ES
from offline_model.replies.languages.fr import FR
from offline_model.replies.languages.it import IT
from offline_model.replies.languages.pt import PT

__all__ = ["DE", "EN", "ES", "FR", "IT", "PAYMENT_WORDS", "PT", "REASONS", "STATUSES", "TEMPLATES"]

TEMPLATES = {"en": EN, "es": ES, "fr": FR, "de": DE, "pt": PT, "it": IT}

# Words that appear inside localised sentences.
REASONS = {
    "en": {"no longer needed": "no longer needed", "ordered by mistake": "ordered by mistake"},
    "es": {"no longer needed": "ya no lo necesita", "ordered by mistake": "pedido por error"},
    "fr": {"no longer needed": "vous n'en avez plus besoin", "ordered by mistake": "commandée par erreur"},
    "de": {"no longer needed": "nicht mehr benötigt", "ordered by mistake": "versehentlich bestellt"},
    "pt": {"no longer needed": "já não é necessário", "ordered by mistake": "encomendado por engano"},
    "it": {"no longer needed": "non più necessario", "ordered by mistake": "ordinato per errore"},
}
# Order statuses: the English word stays in brackets so the status the store uses is always there.
STATUSES = {
    "es": {"pending": "pendiente", "processed": "procesado", "delivered": "entregado", "cancelled": "cancelado"},
    "fr": {"pending": "en attente", "processed": "en préparation", "delivered": "livrée", "cancelled": "annulée"},
    "de": {"pending": "offen", "processed": "in Bearbeitung", "delivered": "zugestellt", "cancelled": "storniert"},
    "pt": {"pending": "pendente", "processed": "processado", "delivered": "entregue", "cancelled": "cancelado"},
    "it": {"pending": "in attesa", "processed": "in lavorazione", "delivered": "consegnato", "cancelled": "annullato"},
}
# Payment words, replaced in that order: "your gift card" before the bare "gift card" that lists
# of methods use ("Visa ending in 1234, PayPal account and gift card"), "your " last.
PAYMENT_WORDS = {
    "es": {
        "your PayPal account": "su cuenta de PayPal",
        "your gift card": "su tarjeta regalo",
        "your original payment method": "su método de pago original",
        "PayPal account": "cuenta de PayPal",
        "gift card": "tarjeta regalo",
        "ending in": "terminada en",
        "your ": "su ",
    },
    "fr": {
        "your PayPal account": "votre compte PayPal",
        "your gift card": "votre carte cadeau",
        "your original payment method": "votre moyen de paiement d'origine",
        "PayPal account": "compte PayPal",
        "gift card": "carte cadeau",
        "ending in": "se terminant par",
        "your ": "votre ",
    },
    "de": {
        "your PayPal account": "Ihr PayPal-Konto",
        "your gift card": "Ihre Geschenkkarte",
        "your original payment method": "Ihre ursprüngliche Zahlungsmethode",
        "PayPal account": "PayPal-Konto",
        "gift card": "Geschenkkarte",
        "ending in": "mit Endziffern",
        "your ": "Ihre ",
    },
    "pt": {
        "your PayPal account": "a sua conta PayPal",
        "your gift card": "o seu cartão-presente",
        "your original payment method": "o seu método de pagamento original",
        "PayPal account": "conta PayPal",
        "gift card": "cartão-presente",
        "ending in": "terminado em",
        "your ": "o seu ",
    },
    "it": {
        "your PayPal account": "il suo conto PayPal",
        "your gift card": "la sua carta regalo",
        "your original payment method": "il suo metodo di pagamento originale",
        "PayPal account": "conto PayPal",
        "gift card": "carta regalo",
        "ending in": "che termina con",
        "your ": "la sua ",
    },
}
