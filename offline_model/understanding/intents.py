"""What a sentence asks for: intent detection from the embedding model plus word cues.

Each intent has example sentences (embedded once) and a cue lexicon in English, Spanish, French,
German, Portuguese and Italian. A sentence's intent is the best-scoring intent whose cues fire,
ranked by embedding similarity; a sentence with no cue is accepted only when the embedding alone
is very close to the examples (a paraphrase the lexicon lacks)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from offline_model.understanding import embedder
from offline_model.understanding.text import fold

# Intent names used across the model.
CANCEL = "cancel_order"
RETURN = "return_items"
CHANGE_ITEMS = "change_items"  # exchange (delivered) or modify (pending): decided by the order's status
ORDER_ADDRESS = "change_order_address"
USER_ADDRESS = "change_account_address"
PAYMENT = "change_order_payment"
STATUS = "order_status"
PRODUCT = "product_question"
TROUBLE = "troubleshooting"
BILLING = "billing_question"
POLICY = "policy_question"
HUMAN = "human_request"
ABUSE = "abusive"
LEGAL = "legal_threat"
SAFETY = "safety_issue"  # a product that smoked, sparked, burned or hurt someone: a person, urgently
TEAM_QUESTION = "team_question"  # no built-in kind: the coworker whose role and goal fit answers it
REVIEW = "needs_human_review"  # what the model could not handle: a human takes over
TROUBLE_HINT = "troubleshooting_hint"  # a cue only: weak signs of a product problem

ACTIONS = (CANCEL, RETURN, CHANGE_ITEMS, ORDER_ADDRESS, USER_ADDRESS, PAYMENT)
QUESTIONS = (STATUS, PRODUCT, TROUBLE, BILLING, POLICY, TEAM_QUESTION)
ESCALATIONS = (HUMAN, ABUSE, LEGAL, SAFETY, REVIEW)

LABELS = {
    TEAM_QUESTION: "question for the team",
    CANCEL: "cancel order",
    RETURN: "return items",
    CHANGE_ITEMS: "exchange or change items",
    ORDER_ADDRESS: "change order shipping address",
    USER_ADDRESS: "change account default address",
    PAYMENT: "change order payment method",
    STATUS: "order status",
    PRODUCT: "product price or availability",
    TROUBLE: "troubleshooting",
    BILLING: "payment or refund question",
    POLICY: "store policy question",
    HUMAN: "wants a human agent",
    ABUSE: "abusive message",
    LEGAL: "legal threat",
    SAFETY: "product safety issue",
    REVIEW: "needs human review",
}
INTENT_BY_LABEL = {label: intent for intent, label in LABELS.items()}

# What each intent is about, in words: matched against the team roster to pick a specialist.
DESCRIPTIONS = {
    TEAM_QUESTION: "a question about the customer's account that a specialist answers from what it can read",
    CANCEL: "cancel a pending order",
    RETURN: "return items of a delivered order for a refund",
    CHANGE_ITEMS: "exchange items of a delivered order or change items of a pending order",
    ORDER_ADDRESS: "change the shipping address of a pending order",
    USER_ADDRESS: "change the default address of the customer's account",
    PAYMENT: "change the payment method of a pending order",
    STATUS: "order status question: where is my order, has it shipped",
    PRODUCT: "product question: price, options and availability in the catalog",
    TROUBLE: "troubleshoot a product that does not work: setup, pairing, connectivity, charging",
    BILLING: "question about payments, charges, refunds and invoices",
    POLICY: "question about the store's policies: returns, exchanges, refunds, shipping, warranty",
    HUMAN: "the customer asks to talk to a human",
    ABUSE: "the customer is abusive",
    LEGAL: "the customer threatens legal action",
    SAFETY: "a product overheated, smoked, sparked, caught fire or injured someone",
    REVIEW: "hand the ticket to a human team member",
}

# The tool an intent needs, to keep delegation to specialists that hold it.
REQUIRED_TOOLS = {
    TEAM_QUESTION: (),  # any coworker that can read something: see roster.can_handle
    CANCEL: ("cancel_pending_order",),
    RETURN: ("return_delivered_order_items",),
    CHANGE_ITEMS: ("exchange_delivered_order_items", "modify_pending_order_items"),
    ORDER_ADDRESS: ("modify_pending_order_address",),
    USER_ADDRESS: ("modify_user_address",),
    PAYMENT: ("modify_pending_order_payment",),
    STATUS: ("get_order_details",),
    PRODUCT: ("get_product_details",),
    TROUBLE: ("search_knowledge_base",),
    BILLING: ("get_order_details",),
    POLICY: ("search_knowledge_base",),
    HUMAN: ("escalate_to_human",),
    ABUSE: ("escalate_to_human",),
    LEGAL: ("escalate_to_human",),
    SAFETY: ("escalate_to_human",),
    REVIEW: ("escalate_to_human",),
}

EXAMPLES: dict[str, tuple[str, ...]] = {
    CANCEL: (
        "Please cancel my order.",
        "I want to cancel order #W1234567.",
        "Can you cancel this order for me?",
        "I need the order cancelled.",
        "Kindly cancel the order, I don't need it anymore.",
        "Stop my order before it ships.",
        "Call off the order please.",
        "I'd like to cancel my purchase.",
        "Por favor, cancelen mi pedido.",
        "Quisiera cancelar el pedido.",
        "Pourriez-vous annuler ma commande ?",
        "Bitte stornieren Sie meine Bestellung.",
        "Quero cancelar o meu pedido.",
        "Vorrei annullare l'ordine.",
    ),
    RETURN: (
        "I'd like to return the kettle for a refund.",
        "Please start a return for these items.",
        "I want to send the jacket back and get my money back.",
        "Could you set up a return for the order?",
        "Please process a return of the headphones I received.",
        "I want a refund for the shoes, I'm sending them back.",
        "Quiero devolver el producto.",
        "Je voudrais retourner cet article.",
        "Ich möchte den Artikel zurückschicken.",
        "Quero devolver o item.",
        "Vorrei restituire il prodotto.",
    ),
    CHANGE_ITEMS: (
        "I'd like to exchange the T-shirt for a different size.",
        "Please swap the helmet for the version in size S.",
        "Change the color of the backpack to black.",
        "Could I exchange the keyboard for one with clicky switches?",
        "Switch the water bottle to the 750ml one.",
        "I picked the wrong option, please change the item.",
        "Replace the lamp with the white model.",
        "Can you modify the items in my pending order?",
        "I want the same item in a different color.",
        "Quiero cambiar la talla de la camiseta.",
        "Je voudrais échanger la veste contre une autre taille.",
        "Ich möchte die Farbe umtauschen.",
    ),
    ORDER_ADDRESS: (
        "Please change the shipping address of my order.",
        "Can you ship the order to a different address?",
        "Send my order to my new address instead.",
        "Please redirect the order to this address.",
        "The delivery address on the order is wrong, please update it.",
        "Por favor cambien la dirección de envío del pedido.",
        "Pouvez-vous changer l'adresse de livraison ?",
    ),
    USER_ADDRESS: (
        "Please update the default address on my account.",
        "I've moved, change the address on my profile.",
        "Update my account address to my new home.",
        "Change the address you have on file for me.",
        "Cambien la dirección de mi cuenta.",
        "Changez l'adresse de mon compte.",
    ),
    PAYMENT: (
        "Please change the payment method on my order to PayPal.",
        "I'd like to pay for the order with my Visa instead.",
        "Switch the payment on the order to my gift card.",
        "Bill the order to my Mastercard and refund the original payment.",
        "Can I use a different card for this order?",
        "Cambien el método de pago del pedido.",
    ),
    STATUS: (
        "Where is my order?",
        "What is the status of my order?",
        "Has my order shipped yet?",
        "Can you check whether my order has been delivered?",
        "I haven't received my package, where is it?",
        "Could you give me an update on my order?",
        "When will my order arrive?",
        "Can you track my package?",
        "¿Dónde está mi pedido?",
        "Où en est ma commande ?",
        "Wo ist meine Bestellung?",
        "Qual é o status do meu pedido?",
        "Dov'è il mio ordine?",
    ),
    PRODUCT: (
        "How much does the jacket cost?",
        "Is the speaker in red available?",
        "Do you have this in stock?",
        "What's the price of the keyboard with tactile switches?",
        "Is that model available, and what does it cost?",
        "What options does the backpack come in?",
        "¿Cuánto cuesta?",
        "Combien coûte ce produit ?",
    ),
    TROUBLE: (
        "My speaker won't pair with my phone.",
        "The thermostat shows as offline.",
        "The earbud stopped charging.",
        "The camera keeps dropping offline.",
        "The robot vacuum won't go back to its dock.",
        "My watch stopped showing notifications.",
        "The device doesn't work anymore, how do I fix it?",
        "It won't turn on.",
        "How do I reset it?",
        "Mi dispositivo no funciona.",
        "Mon appareil ne marche plus.",
    ),
    BILLING: (
        "Where is my refund?",
        "I was charged twice for my order.",
        "Can I get an invoice for my order?",
        "When will the refund reach my card?",
        "Why was I charged this amount?",
        "How much did I pay for the order?",
    ),
    POLICY: (
        "What is your return policy?",
        "How long do I have to return an item?",
        "Do you ship internationally?",
        "Is there a warranty on electronics?",
        "Can I exchange an item I already opened?",
        "How much does shipping cost?",
    ),
    HUMAN: (
        "I want to talk to a human.",
        "Please connect me with a real person.",
        "Can I speak with an agent?",
        "I'd like someone to call me.",
        "Transfer me to a representative.",
        "I don't want to deal with a bot.",
        "Quiero hablar con una persona.",
        "Je veux parler à un humain.",
    ),
    ABUSE: (
        "You people are useless idiots.",
        "Your store is garbage and you are incompetent.",
        "This is a joke, you morons.",
    ),
    LEGAL: (
        "I will sue your company.",
        "My lawyer will contact you.",
        "I'm filing a claim in small claims court.",
        "I have opened a dispute with my bank.",
        "I'm reporting you to the attorney general.",
        "Consider this formal notice before legal action.",
    ),
}

# A question about a figure of the customer's own orders: what they paid, what a return would
# refund, what a change came to. Answered from the order's records, never by acting on the item.
# Which method paid: 'can't remember which card I used for that purchase', 'how did I pay for it?'
WHICH_METHOD = re.compile(
    r"\b(?:which|what)\s+(?:one|card|payment\s+method|method)\s+(?:did\s+)?(?:i|we)\s+(?:used|use|paid|pay)\b|"
    r"\bhow\s+did\s+(?:i|we)\s+pay\b"
)
FIGURE_QUESTION = re.compile(
    r"\bwhat\s+did\s+(?:i|we)\s+(?:actually\s+|originally\s+|end\s+up\s+)?pay\b|" + WHICH_METHOD.pattern + r"|"
    # asked indirectly: 'remind me what I paid', 'let me know how much we paid' (not 'more than what I paid')
    r"\b(?:remind\s+me|tell\s+me|let\s+me\s+know|confirm|wondering|want\s+to\s+know|like\s+to\s+know)\s+(?:\w+\s+){0,2}?"
    r"(?:what|how\s+much)\s+(?:i|we)\s+(?:\w+\s+)?paid\b|"
    r"\bhow\s+much\s+(?:did|do|will|would|should|am|can)\s+(?:i|we)\s+(?:\w+\s+){0,2}?"
    r"(?:pay|paid|get\s+back|getting\s+back|get\s+refunded|be\s+refunded|receive|owe)\b|"
    r"\bhow\s+much\s+(?:\w+\s+)?(?:will|would|is\s+going\s+to)\s+(?:come|go|be\s+(?:coming|going))\s+back\b|"
    r"\bhow\s+much\s+(?:will|would|do)\s+(?:you|it)\s+(?:\w+\s+)?refund|\bhow\s+much\s+(?:extra\s+)?(?:it|that|this)\s+"
    r"(?:came|comes|will\s+come)\s+to\b|\bwhat\s+(?:was|is)\s+the\s+(?:price|amount)\s+(?:i|we)\s+paid\b|"
    r"\bcombien\s+(?:ai-je|j'?ai)\s+paye|\bcombien\s+(?:vais-je|je\s+vais)\s+(?:etre\s+)?rembourse|"
    r"\bcuanto\s+(?:pague|me\s+(?:devuelven|reembolsan))|\bwie\s+viel\s+habe\s+ich\b[^?]*\bbezahlt|"
    r"\bquanto\s+(?:paguei|vou\s+receber)|\bquanto\s+ho\s+pagato"
)

# Cue lexicons over folded text (lowercase, accents removed).
# Verbs that ask to change something. Past tense after "I"/"we" tells a story, not a request
# ("since I replaced my router"), and is filtered in `cue_hits`.
_ACTION_VERB = (
    r"exchang\w*|exhang\w*|exchnag\w*|swap\w*|switch|switching|switched|chang\w*|replac\w*|modif\w*|upgrad\w*|downgrad\w*|"
    r"convert\w*|alter\b|cambi\w*|echang\w*|umtausch\w*|tausch\w*|andern|anderung|troc\w*|alterar|sostitu\w*|mudar"
)
_CUES: dict[str, re.Pattern[str]] = {
    CANCEL: re.compile(
        r"(?<!was\s)(?<!been\s)(?<!is\s)(?<!got\s)(?<!were\s)(?<!already\s)\b(?:cancel|cancle|canel|cancl)|"
        r"\bcall\s+(?:it\s+|them\s+|(?:this|that|the|my|his|her|our|their|both|these|those)\s+(?:[\w-]+\s+){0,2}?(?:orders?|purchases?|ones?)\s+|#w\d+\s+)?off\b|"
        r"\b(?:kill|scrap|nix|void|withdraw|drop|abort)\s+(?:the\s+|my\s+|this\s+|that\s+)?(?:whole\s+)?(?:order|#w|purchase)|\bstop\s+(?:the\s+|my\s+|this\s+)?(?:order|shipment|delivery|#w)|"
        r"\b(?:don'?t|do\s+not)\s+(?:ship|send|deliver)\s+(?:it|them|the\s+order|my\s+order|#w)|\bcall\s+off|\bcancelar|\bcancelen|\banular|\bannul|\bstorn|\babbestell|\bcancellar|\bcancela"
    ),
    RETURN: re.compile(
        r"\b(?:return|retrun|retun)(?!\s+label)(?:ed|ing|s)?\b|\b(?:get|want|need|like|request|have|issue|give\s+me)\s+(?:a\s+|my\s+|the\s+)?(?:full\s+)?refund\s+(?:on|for)\b|"
        r"\brefund\s+(?:me\s+)?(?:for\s+)?the\s+(?!difference|price|original|old|previous|first|payment|charge|amount|money)|\bsend(?:ing)?\b[^.?!;]{0,140}?\bback\b|"
        r"\bship\s+(?:\w+\s+){0,3}?back\b|\b(?:go|goes|going)\s+back\b(?!\s+and\s+forth)(?!\s+to\s+(?:the|my|your)\s+(?:original|card|paypal|gift))|\btake\s+(?:\w+\s+){0,3}?back\b|\bmoney\s+back\b|\bdevol|\bretourn|\bretour\b|zuruck(?:schick|send|geb)|"
        r"rucksend|\brestitu|\breso\b|\brembours|\brenvoy"
    ),
    CHANGE_ITEMS: re.compile(
        rf"\b(?:{_ACTION_VERB})\b|\bupdate\s+(?:the\s+|my\s+)?(?:items?|order|pending\s+order|#w)|"
        r"\bfor\s+(?:the|a|one)\s+(?:version|one|model|variant)\b|\bsame\s+(?:item|product)\s+(?:in|with|but)\b|"
        r"\b(?:wrong|incorrect)\s+(?:[\w-]+\s+){0,2}(?:options?|size|colou?r|variant|model|configuration|version|one|type)\b|"
        r"\b(?:i\s+)?(?:require|need|want|would\s+like|'d\s+like)\s+the\s+[\w\s-]{2,40}?\s+(?:with|in)\s+(?:a|an|the|\d)|\bdifferent\s+(?:size|colou?r|version|model|variant)\b|"
        r"\b(?:need|want|prefer|like|rather\s+have|get)\b[^.?!]{0,100}\binstead\b|\binstead\s+of\b|\bshould\s+(?:be|have\s+been)\b[^.?!]{0,60}\binstead\b|"
        r"\bshould\s+(?:be|have\s+been)\s+(?:the|a|an)\s+[^.?!,;]{0,40}\b(?:one|version|model|size|colou?r)\b|"
        r"\btrad(?:e|ing)\s+(?:in|it|them|for)\b|\s(?:->|→|=>)\s|\binstead\s*[?.!]*\s*$|\brather\s+than\b|"
        r"\bmake\s+(?:the|my|it)\s+(?:[\w-]+\s+){0,4}?(?:a|an|the)\s|\bmake\s+it\s+(?:a|an|the|in)\b|"
        r"\b(?:can|could|would)\s+(?:the|my)\s+[\w\s-]{2,30}?\s+be\s+(?:the|a|an|in|changed|swapped|switched|exchanged)\b|"
        r"\bshould\s+(?:be|have\s+been)\s+(?:\d|in\s|(?:the|a|an)\s+\w)"
    ),
    ORDER_ADDRESS: re.compile(
        r"\bad+res+|\bship\s+(?:it|them|the\s+order|order|my\s+order|#w\d+)?\s*to\b|\bdeliver\s+(?:it|them|the\s+order)?\s*to\b|"
        r"\bsend\s+(?:it|them|the\s+order)\s+(?:to|here)\b|\bsomewhere\s+else\b|\bredirect|\breroute|\bdireccion|\badresse|\bendereco|\bindirizzo|\banschrift|(?:liefer|versand)adresse"
    ),
    USER_ADDRESS: re.compile(
        r"\b(?:default|account|profile|billing|home)\s+address|\baddress\s+(?:on|in|of|for)\s+(?:my\s+|the\s+)?(?:account|profile|file)|"
        r"\baddress\s+on\s+file|\bi(?:'ve|\s+have)\s+moved|\bmoved\s+to|\bmy\s+new\s+address\b(?!.*#w)|"
        r"direccion\s+de\s+(?:mi\s+)?cuenta|adresse\s+de\s+(?:mon\s+)?compte"
    ),
    PAYMENT: re.compile(
        r"\bpay(?:ment|ing)?\b|\bpaid\b|\bbill(?:ed|ing)?\b|\bcharg(?:e|ed|ing)\b|\bcard\b|\bmetodo\s+de\s+pago|"
        r"\bvisa\b|\bmaster\s?card\b|\bamex\b|\bamerican\s+express\b|\bdiscover\b|\bpay\s?pal\b|\bgift\s?card\b|"
        r"\bmoyen\s+de\s+paiement|\bzahlungs|\bpagamento"
    ),
    STATUS: re.compile(
        r"\bstatus\b|\bwhere\s+(?:is|are|'s)\b|\bwhat'?s\s+happening\b|\bwhat\s+is\s+happening\b|\bany\s+(?:news|update)\b|"
        r"\b(?:has|have)\s+(?:\S+\s+){0,5}(?:been\s+)?(?:shipped|delivered|arrived|sent|dispatched|left)\b|\b(?:is|was)\s+(?:\S+\s+){0,3}(?:shipped|delivered|dispatched)\s*\?|\bwhere\s+(?:it|they|my\s+(?:order|package|parcel|delivery|shipment))\s+(?:is|are)\b|\bcheck\s+on\b|\bwhere'?s\b|\bhas\s+(?:it|my\s+order|the\s+order|order|this)\s+(?:been\s+)?(?:shipped|delivered|arrived|sent)|"
        r"\b(?:shipped|delivered|arrived)\s+yet|\bupdate\s+on\b|\btrack(?:ing)?\b|\bwhat'?s\s+going\s+on\b|\bwhere\s+\w+\s+stands?\b|"
        r"\bwhere\s+(?:each\s+of\s+)?(?:it|they|them)\s+stand|\bmade\s+it\b|\bwhen\s+will\b.*\barriv|\bestado\b|\bdonde\s+esta|"
        r"\bstatut\b|\bou\s+est\b|\bou\s+en\s+est\b|\bwo\s+ist\b|\bsendungsstatus\b|\bonde\s+esta\b|\bstato\b|\bdov'?e\b"
    ),
    PRODUCT: re.compile(
        r"\bhow\s+much\b|\bprice\b|\bcost\b|\bcosts\b|\bin\s+stock\b|\bavailab|\bdo\s+you\s+(?:have|sell|carry)\b|"
        r"\bcuanto\s+cuesta|\bprecio\b|\bcombien\b|\bprix\b|\bwie\s+viel|\bpreis\b|\bquanto\s+custa|\bpreco\b|\bquanto\s+costa|\bprezzo\b"
    ),
    TROUBLE: re.compile(
        r"\b(?:won'?t|will\s+not|can'?t|cannot)\s+(?:\w+\s+)?(?:pair|connect|turn|charge|work|start|dock|sync|power|boot|find|stay|hold|load|open|stop)|"
        r"\bdoesn'?t\s+(?:work|turn|charge|connect|pair|show|go|find|start|sync|respond)|\bnot\s+(?:working|charging|connecting|pairing|turning|syncing|responding)|"
        r"\bstopped\s+(?:working|charging|showing|connecting|pairing|syncing|responding)|\boffline\b|\bpairing\b|\bpair\s+(?:it|them|with|to)\b|\btroubleshoot|"
        r"\bkeeps\s+(?:dropping|disconnecting|turning|restarting|crashing|freezing|beeping|shutting)|\bdrops?\s+offline|\bdrain\w*|\boverheat\w*|"
        r"\bmalfunction|\bglitch|\bfreez\w*|\bcrash\w*|\bflicker\w*|\bnever\s+goes\s+back|\bdead\s+battery|\bno\s+funciona|\bne\s+(?:marche|fonctionne)|"
        r"\bfunktioniert\s+nicht|\bnao\s+funciona|\bnon\s+funziona"
    ),
    # weaker signs of a product problem: they count only in a question or a plea for help
    TROUBLE_HINT: re.compile(
        r"\breset\b|\bfix\b|\bbroken\b|\bfind\s+it\b|\bany\s+(?:tips|ideas|advice|suggestions)\b|"
        r"\bwhat\s+(?:can|should)\s+i\s+(?:do|try|check)\b|\bhow\s+(?:can|do)\s+i\s+(?:fix|reset|get\s+it|make\s+it|stop\s+it|set)\b|"
        r"\b(?:problem|issue|trouble)s?\s+with\b|\berror\b|\bnois[ey]\b|\bslow\b|\bisn'?t\s+working|\bbattery\b|\bset\s*up\b|\bsetup\b|"
        r"\bkeeps?\s+\w+ing\b|\bcut(?:s|ting)?\s+out\b|\bdisconnect\w*|\bstutter\w*|\bbuzz\w*|\bwon'?t\s+\w+|\bdoesn'?t\s+\w+|\bworks?\s+only\b"
    ),
    BILLING: re.compile(
        r"\brefund\b.*\?|\bwhere\s+is\s+my\s+refund|\bcharged\s+twice|\bdouble\s+charg|\binvoice\b|\breceipt\b|\bovercharg|"
        r"\bwhy\s+was\s+i\s+charged|\bhow\s+much\s+did\s+i\s+pay|" + FIGURE_QUESTION.pattern
    ),
    POLICY: re.compile(
        r"\bpolic(?:y|ies)\b|\bwarrant(?:y|ies)\b|\breturn\s+window\b|\bhow\s+(?:long|many\s+days)\s+(?:do\s+i\s+have|can\s+i|does\s+it\s+take)\b|"
        r"\bdo\s+you\s+(?:ship|deliver|offer|accept|charge|refund)\b|\bshipping\s+(?:cost|costs|fee|fees|time|times)\b|\brestocking\s+fee|"
        r"\bcan\s+(?:i|you)\s+(?:return|exchange|cancel)\s+(?:an?\s+|any\s+|opened\s+|used\s+|sale\s+|items?\b|things?\b|products?\b|orders?\b)|"
        r"\bpolitica\b|\bpolitique\b|\brichtlinie|\bgarantie\b|\bgarantia\b"
    ),
    HUMAN: re.compile(
        r"\bhuman\b|\breal\s+person\b|\ba\s+person\b|\bsomeone\s+(?:call|phone|ring)|\bcall\s+me\b|\bphone\s+me\b|"
        r"\brepresentative\b|\blive\s+agent\b|\bhuman\s+agent\b|\bspeak\s+(?:to|with)\s+(?:an?\s+)?(?:agent|person|someone|manager|supervisor)|"
        r"\btalk\s+(?:to|with)\s+(?:an?\s+)?(?:agent|person|someone|manager|supervisor)|\bnot\s+a\s+bot\b|\bautomated\s+system\b|"
        r"(?<!from\s)\b(?:a|your|the)\s+(?:manager|supervisor)\b|"
        r"\b(?:get|give|put|transfer|connect)\s+me\s+(?:to\s+|with\s+|through\s+to\s+)?(?:(?:a|an|your|the)\s+(?:real\s+|live\s+)?"
        r"(?:manager|supervisor|human|person|representative|rep|agent)\b|someone\b|somebody\b)|"
        r"\bhablar\s+con\s+(?:una\s+)?persona|\bparler\s+a\s+(?:un\s+)?(?:humain|conseiller|quelqu'un)|\bmit\s+einem\s+menschen"
    ),
    ABUSE: re.compile(
        r"\bidiots?\b|\bmorons?\b|\bstupid\b|\bincompetent\b|\buseless\b|\bgarbage\b|\btrash\b|\bpathetic\b|\bcomplete\s+joke\b|"
        r"\bscam(?:mers)?\b|\bcrooks?\b|\bf+u+c+k|\bshit|\bdamn\s+you|\bhate\s+you|\bimbeciles?\b|\bidiotas?\b"
    ),
    LEGAL: re.compile(
        r"\blawyers?\b|\battorney|\bsue\b|\bsuing\b|\blawsuit|\b(?:to|in|into)\s+(?:small[\s-]+claims\s+)?court\b|\bcourt\s+(?:case|action|order)\b|\blegal\s+action|\bchargeback|\bdispute\s+with\s+my\s+bank|"
        r"\bopened\s+a\s+dispute|\bformal\s+notice|\bbetter\s+business\s+bureau|\bconsumer\s+protection|\babogado|\bavocat|\banwalt|\badvogado|\bavvocato"
    ),
    # What the escalation policy calls a safety issue, said of a product: smoke, fire, sparks, heat
    # beyond use, melting, a swollen or leaking battery, an electric shock, an injury. Figures of
    # speech ('looks like a fire alarm', 'hurt my ears') name no event and are left out.
    SAFETY: re.compile(
        r"\bsmok(?:e|ed|es|ing)\b(?!\s+(?:alarm|detector|grey|gray|glass|lens))|\b(?:smell(?:ed|s)?|stink\w*|reek\w*)\s+"
        r"(?:\w+\s+){0,3}?(?:burn\w*|melt\w*|smoke|electrical)|\bburn(?:ing|t)\s+(?:plastic|rubber|smell|odou?r)|"
        r"\b(?:caught|catch(?:es|ing)?|on|started\s+a)\s+fire\b|\bflames?\b|\bspark(?:s|ed|ing)\b|\boverheat\w*|"
        r"\b(?:extremely|dangerously|scorching|burning|way\s+too|really|so)\s+hot\b|\btoo\s+hot\s+to\s+(?:touch|hold)|"
        r"\bmelt(?:ed|ing|s)\b|\bexplo(?:ded|sion|de)\b|\b(?:swollen|swelling|bulging|puffed\s+up)\s+(?:\w+\s+)?battery|"
        r"\bbattery\s+(?:\w+\s+){0,3}?(?:is\s+|was\s+|has\s+|got\s+)?(?:leak\w*|swell\w*|swollen|bulg\w*)|\belectric(?:al)?\s+shock|"
        r"\b(?:gave|giving|gives)\s+(?:me|him|her|us|my\s+\w+)\s+(?:a\s+)?(?:an\s+)?(?:\w+\s+)?shock|"
        r"\bburn(?:ed|t)\s+(?:my|his|her|their|our)\s+(?:hand|finger|fingers|arm|skin|face|leg)|\binjur(?:y|ed|ies)\b|"
        r"\b(?:fumee|fume|etincelles?|surchauff\w*|pris\s+feu|prend\s+feu|odeur\s+de\s+brule|explose|decharge\s+electrique|"
        r"rauch|qualm\w*|funken|uberhitz\w*|feuer\s+gefangen|verbrannt\w*|explodiert|stromschlag|brandgeruch|"
        r"humo|chispas?|sobrecalent\w*|se\s+incendio|prendio\s+fuego|olor\s+a\s+quemado|exploto|descarga\s+electrica|"
        r"fumo|scintill\w*|surriscald\w*|preso\s+fuoco|odore\s+di\s+bruciato|esplos[oa]|scossa|"
        r"fumaca|faiscas?|superaquec\w*|pegou\s+fogo|cheiro\s+de\s+queimado|explodiu|choque\s+eletrico)\b"
    ),
}

# An action verb right after a negation is not a request: "please don't change the order".
_NEGATED = re.compile(
    r"\b(?:don'?t|do\s+not|does\s+not|doesn'?t|not|never|no\s+need\s+to|without\s+(?:having\s+to\s+)?)\s+(?:want\s+to\s+|need\s+to\s+|wish\s+to\s+|plan\s+to\s+|going\s+to\s+)?(?:\w+\s+)?$|"
    # 'não quero devolver', 'no quiero devolver', 'non voglio restituire', 'je ne veux pas renvoyer'
    r"\b(?:nao|no|non)\s+(?:quero|queria|quiero|quisiera|voglio|vorrei|preciso|necesito)\s+(?:\w+\s+)?$|"
    r"\bne\s+(?:veux|voudrais|souhaite)\s+pas\s+(?:\w+\s+)?$"
)


@dataclass(frozen=True)
class IntentScore:
    intent: str
    score: float
    cue: bool


_PAST_ACTION = re.compile(
    r"(?:return|retrun|cancel+|exchang|swapp|switch|chang|replac|modifi|updat|upgrad|downgrad|convert|alter|sent|shipp)ed\b"
)
# An address named as where an order went or goes, in a sentence that changes no address.
_WHERE_IT_WENT = re.compile(
    r"\b(?:went|gone|going|goes|shipped|sent|delivered|headed|heading|came|arrived)\s+(?:out\s+)?to\s+(?:the\s+|my\s+|our\s+)?"
    r"(?:[\w-]+\s+){0,3}$|\b(?:envoyee?s?|livree?s?|geliefert|enviad[oa]s?|spedit[oa]|entregue)\s+(?:a|an|nach|em|in)\s+"
    r"(?:[\w'-]+\s+){0,3}$"
)
_ADDRESS_CHANGE = re.compile(
    r"\b(?:chang\w*|updat\w*|correct\w*|redirect\w*|reroute\w*|instead|new\s+address|wrong|fix\w*|modif\w*|"
    r"ship\s+(?:it|them)\s+to|send\s+(?:it|them)\s+to|deliver\s+(?:it|them)\s+to|move\w*)\b"
)
_NARRATIVE = re.compile(r"\b(?:i|we|i'?ve|i\s+have|we'?ve|we\s+have|i\s+just|we\s+just)\s+(?:\w+\s+)?$")


def negates_an_action(sentence: str) -> bool:
    """An action cue right after a negation ('I don't want to return anything', 'não quero devolver')."""
    folded = fold(sentence)
    for intent in ACTIONS:
        for match in _CUES[intent].finditer(folded):
            if _NEGATED.search(folded[max(0, match.start() - 40) : match.start()]):
                return True
    return False


def cue_hits(sentence: str) -> set[str]:
    """Intents whose cues fire in the sentence, leaving out negated or narrated action verbs."""
    folded = fold(sentence)
    hits: set[str] = set()
    for intent, pattern in _CUES.items():
        for match in pattern.finditer(folded):
            before = folded[max(0, match.start() - 40) : match.start()]
            if intent in ACTIONS and _NEGATED.search(before):
                continue
            if intent in ACTIONS and _PAST_ACTION.match(folded, match.start()) and _NARRATIVE.search(before):
                continue  # 'I returned it last week', 'since I replaced my router': a story, not a request
            if intent == ORDER_ADDRESS and _WHERE_IT_WENT.search(before) and not _ADDRESS_CHANGE.search(folded):
                continue  # 'the delivery that went to the San Diego address': which order, not a new address
            hits.add(intent)
            break
    return hits


def _example_matrix() -> tuple[list[str], np.ndarray]:
    intents: list[str] = []
    texts: list[str] = []
    for intent, examples in EXAMPLES.items():
        for example in examples:
            intents.append(intent)
            texts.append(example)
    return intents, embedder.encode_fixed(tuple(texts))


def similarities(sentence: str) -> dict[str, float]:
    """Best cosine similarity of the sentence to each intent's examples."""
    intents, matrix = _example_matrix()
    vector = embedder.encode_cached([sentence])[0]
    sims = matrix @ vector
    best: dict[str, float] = {}
    for intent, sim in zip(intents, sims, strict=False):
        if sim > best.get(intent, -1.0):
            best[intent] = float(sim)
    return best


def score(sentence: str) -> list[IntentScore]:
    """Intent candidates for a sentence, best first."""
    hits = cue_hits(sentence)
    sims = similarities(sentence)
    scored = [
        IntentScore(intent, sims.get(intent, 0.0) + (0.35 if intent in hits else 0.0), intent in hits)
        for intent in EXAMPLES
    ]
    scored.sort(key=lambda s: (-s.score, s.intent))
    return scored
