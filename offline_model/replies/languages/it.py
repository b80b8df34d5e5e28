"""Italian reply sentences (Lei)."""

from __future__ import annotations

IT = {
    "greeting": "Buongiorno {name},",
    "greeting_anonymous": "Buongiorno,",
    "closing": "Cordiali saluti,\nAssistenza clienti",
    "thanks": "La ringraziamo per averci contattato.",
    # cancellations
    "cancel.done": "Il suo ordine {order} è stato annullato (motivo: {reason_local}).",
    "cancel.refund": "Un rimborso di {amount} verrà effettuato su {method}.",
    "cancel.refund_gift_card": "Un rimborso di {amount} è stato accreditato subito su {method}.",
    "cancel.pending_approval": (
        "L'annullamento dell'ordine {order} richiede una rapida approvazione del nostro team; "
        "glielo confermeremo non appena sarà fatto."
    ),
    "cancel.need_reason": (
        "Posso annullare l'ordine {order}. Prima, può indicarci il motivo: "
        "non le serve più, oppure è stato ordinato per errore?"
    ),
    "cancel.not_pending": "L'ordine {order} è {status}, quindi non può più essere annullato.",
    "condition.status_kept": (
        "L'ordine {order} è {status}, quindi non è più in attesa: come da sua richiesta, l'ho lasciato com'è."
    ),
    "condition.no_tracking": (
        "Non ha ancora un numero di tracciamento; lo riceverà non appena il pacco sarà affidato al corriere."
    ),
    "condition.returned_instead": (
        "Non ho modificato {item}: {why}, quindi, come da sua richiesta, viene invece restituito."
    ),
    "condition.not_met": "Non ho modificato {item}: {why}, quindi, come da sua richiesta, l'ho lasciato com'è.",
    "condition.price": "la nuova versione costa {new} e lei ha pagato {old} (una differenza di {diff})",
    "condition.unavailable": "la versione richiesta ({wanted}) non è disponibile",
    "condition.instead": (
        "La versione che aveva chiesto per prima ({wanted}) non è disponibile, quindi, come da lei indicato, "
        "ho scelto quella con {other}."
    ),
    "condition.balance_other": (
        "Il saldo della sua carta regalo ({balance}) non copre i {amount}, quindi, come da sua richiesta, "
        "l'importo è stato addebitato su {method}."
    ),
    "condition.balance_short": (
        "Il saldo della sua carta regalo è di {balance}, che non copre i {total} dell'ordine {order}, "
        "quindi, come da sua richiesta, il pagamento resta su {method}."
    ),
    "items.which_item_condition": (
        "Non sono riuscito a capire a quali modifiche si riferiscano le sue condizioni, quindi non ho ancora "
        "modificato nulla. Può indicarci a quale articolo si riferisce ciascuna condizione?"
    ),
    "condition.fallback": (
        "Non è stato possibile usare {first}, quindi, come da lei suggerito, ho usato {method} in alternativa."
    ),
    "exception.kept_orders": "Come da sua richiesta, non ho apportato modifiche a {orders}.",
    "exception.which_kept": (
        "Non ho ancora modificato nulla: a quale ordine si riferisce con \u00ab{phrase}\u00bb? Ci invii il numero "
        "d'ordine (inizia con #W)."
    ),
    "cancel.not_pending_delivered": " Se non desidera tenere gli articoli, può chiederci di restituirli.",
    # returns
    "return.done": (
        "Ho predisposto il reso di {items} dall'ordine {order}. Non appena gli articoli ci saranno arrivati, "
        "il rimborso di {amount} verrà effettuato su {method}. Può chiederci l'etichetta di reso in qualsiasi momento."
    ),
    "return.pending_approval": (
        "Il reso di {items} dall'ordine {order} (un rimborso di {amount} su {method}) richiede una rapida "
        "approvazione del nostro team; glielo confermeremo non appena sarà fatto."
    ),
    "return.not_delivered": (
        "L'ordine {order} è {status} e non è ancora stato consegnato, quindi non può essere restituito."
    ),
    "return.not_delivered_pending": (
        " Poiché non è ancora stato elaborato, se preferisce può annullarlo: "
        "ci indichi semplicemente il motivo (non le serve più, oppure è stato ordinato per errore)."
    ),
    "return.bad_method": (
        "Il rimborso di un reso può essere effettuato solo sul metodo di pagamento originale "
        "({original}) o su una carta regalo. Quale delle due opzioni preferisce?"
    ),
    # item changes
    "exchange.done": (
        "Ho predisposto il cambio sull'ordine {order}: {changes}. "
        "{difference} Non appena riceveremo gli articoli originali, le spediremo quelli nuovi."
    ),
    "modify.done": "Ho aggiornato l'ordine {order}: {changes}. {difference}",
    "items.pending_approval": (
        "La modifica dell'ordine {order} ({changes}) richiede una rapida approvazione del nostro team; "
        "gliela confermeremo non appena sarà fatta."
    ),
    "items.difference_charge": "La differenza di prezzo di {amount} viene addebitata su {method}.",
    "items.difference_refund": "La differenza di prezzo di {amount} viene rimborsata su {method}.",
    "items.difference_none": "Non c'è alcuna differenza di prezzo.",
    "items.not_changeable": (
        "L'ordine {order} è {status}, quindi i suoi articoli non possono essere modificati: gli articoli si possono "
        "modificare prima che l'ordine venga elaborato, oppure cambiare una volta consegnato."
    ),
    "items.already_modified": (
        "Gli articoli dell'ordine {order} sono già stati modificati una volta, "
        "e gli articoli di un ordine possono essere modificati una sola volta."
    ),
    "items.which_item": "Quale articolo dell'ordine {order} desidera modificare? L'ordine contiene {items}.",
    "items.which_version": "Quale versione di {product} desidera? {choices}",
    "items.unavailable": "{product} con {wanted} non è disponibile al momento.",
    "items.no_such_version": "Non abbiamo {product} con {wanted}. Le opzioni disponibili: {choices}.",
    # shipping address of an order, account address, payment of an order
    "address.done": "L'ordine {order} verrà ora spedito a {address}.",
    "address.missing": (
        "Per modificare l'indirizzo di spedizione dell'ordine {order}, ci invii il nuovo indirizzo completo "
        "(via, eventuale interno o scala, città, stato, CAP e paese)."
    ),
    "address.not_pending": (
        "L'ordine {order} è {status}, quindi il suo indirizzo di spedizione non può più essere modificato."
    ),
    "user_address.done": "L'indirizzo predefinito del suo account è ora {address}.",
    "user_address.missing": (
        "Ci invii il nuovo indirizzo completo per il suo account (via, "
        "eventuale interno o scala, città, stato, CAP e paese)."
    ),
    "payment.done": (
        "L'ordine {order} è ora pagato con {method}; i {amount} pagati in precedenza vengono rimborsati "
        "su {old_method}."
    ),
    "payment.same": "L'ordine {order} è già pagato con {method}, quindi non c'è nulla da modificare.",
    "payment.not_pending": (
        "L'ordine {order} è {status}, quindi il suo metodo di pagamento non può più essere modificato."
    ),
    "payment.which": "Quale metodo di pagamento desidera usare per l'ordine {order}? Sul suo account: {methods}.",
    "payment.unknown": (
        "Non ho trovato {described} tra i metodi di pagamento del suo account ({methods}). Quale desidera usare?"
    ),
    "payment.insufficient": (
        "Il saldo della carta regalo non copre questa modifica. "
        "Quale altro metodo di pagamento del suo account desidera usare ({methods})?"
    ),
    # status, billing, products, troubleshooting
    "status.line": "L'ordine {order} è {status}{status_note}.",
    "status.items": "Contiene {items}.",
    "status.tracking": "Numero di tracciamento {tracking}{carrier}{latest}.",
    "status.refunds": "Rimborsi effettuati su questo ordine: {refunds}.",
    "billing.method": "L'ordine {order} è stato pagato con {method}.",
    "billing.line": "Per l'ordine {order} ha pagato {paid}{refunded}.",
    "billing.item": (
        "Ha pagato {price} per {item} (ordine {order}); è anche l'importo che le verrebbe rimborsato con un reso."
    ),
    "billing.items_total": "In totale sono {total}.",
    "product.variant": "{product} ({options}) costa {price} ed è {availability}.",
    "team.answer": "{lines}.",
    "write.waiting": (
        "Non ho ancora effettuato questa modifica: la effettuerò insieme al resto non appena avrà risposto "
        "alla mia domanda."
    ),
    "write.unsure": (
        "Non ho ancora modificato nulla: una parte della sua richiesta può essere interpretata in più modi. "
        "Può confermarci esattamente quali articoli desidera restituire o modificare, e dove devono andare i soldi?"
    ),
    "team.not_found": (
        "Non ho trovato questa informazione in ciò che posso vedere del suo account. "
        "Può dirci qualcosa in più su ciò che desidera sapere?"
    ),
    "product.available": "disponibile",
    "product.unavailable": "al momento esaurito",
    "product.many": (
        "{product} è disponibile in {count} versioni che corrispondono alla sua descrizione ({in_stock} delle quali "
        "disponibili in questo momento), da {low} a {high}. "
        "Ci indichi le opzioni che desidera (ad esempio {keys}) e le comunicheremo il prezzo esatto."
    ),
    "product.unknown": (
        "Non ho trovato {what} nel nostro catalogo. "
        "Può indicarci il nome del prodotto così come compare nel nostro negozio?"
    ),
    "trouble.answer": "La nostra guida \u00ab{title}\u00bb consiglia: {steps}",
    "trouble.source": "(Fonte: {document})",
    "trouble.none": (
        "Non ho trovato una guida per questo problema, quindi l'ho inoltrato al nostro team tecnico, che la contatterà."
    ),
    "policy.answer": "Dalla politica del nostro negozio \u00ab{title}\u00bb: {steps}",
    "policy.none": (
        "Non ho trovato questa informazione nelle politiche del nostro negozio, "
        "quindi ho inoltrato la sua domanda al nostro team, che le risponderà."
    ),
    # questions back, refusals, escalation, failures
    "identity.needed": (
        "Per aiutarla devo prima confermare il suo account: "
        "risponda con l'e-mail del suo account, oppure con nome completo e CAP."
    ),
    "identity.not_found": (
        "Non ho trovato alcun account con i dati indicati. "
        "Risponda con l'e-mail del suo account, oppure con nome completo e CAP così come compaiono nell'account."
    ),
    "order.not_found": "Non ho trovato l'ordine {order}. Può verificare il numero d'ordine?",
    "order.missing": "A quale ordine si riferisce? Ci invii il numero d'ordine (inizia con #W).",
    "order.which_of": "Più di uno dei suoi ordini corrisponde: {orders}. A quale si riferisce?",
    "order.foreign": (
        "L'ordine {order} non appartiene al suo account, quindi non posso fornire informazioni né modificarlo."
    ),
    "order.someone_elses": (
        "Posso gestire solo gli ordini dell'account da cui ci scrive, e nessuno dei suoi corrisponde. "
        "Per l'ordine di un'altra persona, il titolare dell'account deve contattarci dal proprio account."
    ),
    "refused.injection": (
        "Non posso eseguire istruzioni scritte all'interno di un messaggio, quindi non ho apportato alcuna modifica. "
        "Se le serve qualcosa per il suo account, ce lo scriva con parole sue."
    ),
    "not_understood": "Mi scusi, non ho capito il suo messaggio. Può dirci come possiamo aiutarla?",
    "escalated.human": "Ho inoltrato la sua richiesta a un membro del nostro team, che la ricontatterà.",
    "escalated.safety": (
        "La preghiamo di non usare più il prodotto e di tenerlo scollegato, lontano da ciò che può bruciare. "
        "Ho inoltrato il suo messaggio al nostro team come urgente: "
        "un membro del team la ricontatterà entro un giorno lavorativo."
    ),
    "escalated.abuse": (
        "Ho inoltrato il suo messaggio a un responsabile del nostro team, che lo esaminerà e la ricontatterà."
    ),
    "escalated.legal": "Ho inoltrato il suo messaggio al team competente, che lo esaminerà e la ricontatterà.",
    "escalated.other": "Ho inoltrato la sua richiesta a un membro del nostro team, che la ricontatterà.",
    "failed": (
        "Non sono riuscito a completare l'operazione a causa di un problema tecnico da parte nostra; "
        "l'ho inoltrata al nostro team, che se ne occuperà."
    ),
    "approval.note": (
        "Una parte di questo richiede una rapida approvazione del nostro team; "
        "glielo confermeremo non appena sarà fatto."
    ),
    "items.other_product": (
        "Un cambio è possibile solo con un'altra versione dello stesso prodotto, quindi non posso "
        "sostituire il suo {product} con {other}. Può restituire il {product} (entro il periodo di reso) "
        "e ordinare {other} separatamente; non ho modificato nulla."
    ),
}
