"""German reply sentences (Sie)."""

from __future__ import annotations

DE = {
    "greeting": "Hallo {name},",
    "greeting_anonymous": "Hallo,",
    "closing": "Mit freundlichen Grüßen\nKundenservice",
    "thanks": "Vielen Dank für Ihre Nachricht.",
    # cancellations
    "cancel.done": "Ihre Bestellung {order} wurde storniert (Grund: {reason_local}).",
    "cancel.refund": "{amount} werden auf {method} erstattet.",
    "cancel.refund_gift_card": "{amount} wurden sofort auf {method} gutgeschrieben.",
    "cancel.pending_approval": (
        "Die Stornierung der Bestellung {order} muss noch kurz von unserem Team freigegeben werden; "
        "wir bestätigen sie Ihnen, sobald das erledigt ist."
    ),
    "cancel.need_reason": (
        "Ich kann die Bestellung {order} stornieren. Können Sie uns vorher den Grund nennen: "
        "Sie brauchen sie nicht mehr, oder sie wurde versehentlich bestellt?"
    ),
    "cancel.not_pending": "Die Bestellung {order} ist {status} und kann daher nicht mehr storniert werden.",
    "condition.status_kept": (
        "Die Bestellung {order} ist {status} und damit nicht mehr offen: Wie gewünscht habe ich sie so belassen."
    ),
    "condition.no_tracking": (
        "Sie hat noch keine Sendungsnummer; Sie erhalten eine, sobald das Paket an den Versanddienstleister "
        "übergeben wurde."
    ),
    "condition.returned_instead": (
        "Ich habe {item} nicht geändert: {why}, daher geht es wie gewünscht stattdessen zurück."
    ),
    "condition.not_met": "Ich habe {item} nicht geändert: {why}, daher habe ich es wie gewünscht so belassen.",
    "condition.price": "Die neue Version kostet {new}, und Sie haben {old} bezahlt (ein Unterschied von {diff})",
    "condition.unavailable": "Die gewünschte Version ({wanted}) ist nicht verfügbar",
    "condition.instead": (
        "Die Version, die Sie zuerst gewünscht hatten ({wanted}), ist nicht verfügbar; daher habe ich wie "
        "von Ihnen angegeben die Version mit {other} gewählt."
    ),
    "condition.balance_other": (
        "Das Guthaben Ihrer Geschenkkarte ({balance}) deckt die {amount} nicht ab; daher wurde der Betrag "
        "wie gewünscht über {method} beglichen."
    ),
    "condition.balance_short": (
        "Das Guthaben Ihrer Geschenkkarte beträgt {balance} und deckt die {total} der Bestellung {order} nicht ab; "
        "daher bleibt die Zahlung wie gewünscht bei {method}."
    ),
    "items.which_item_condition": (
        "Ich konnte nicht erkennen, auf welche der Änderungen sich Ihre Bedingungen beziehen, daher habe ich noch "
        "nichts geändert. Können Sie uns sagen, für welchen Artikel welche Bedingung gilt?"
    ),
    "condition.fallback": (
        "Es war nicht möglich, {first} zu verwenden, daher habe ich wie von Ihnen vorgeschlagen stattdessen "
        "{method} verwendet."
    ),
    "exception.kept_orders": "Wie gewünscht habe ich an {orders} nichts geändert.",
    "exception.which_kept": (
        "Ich habe noch nichts geändert: Welche Bestellung meinen Sie mit \u201e{phrase}\u201c? Bitte senden Sie "
        "uns die Bestellnummer (sie beginnt mit #W)."
    ),
    "cancel.not_pending_delivered": (
        " Wenn Sie die Artikel nicht behalten möchten, können Sie bei uns eine Rücksendung beantragen."
    ),
    # returns
    "return.done": (
        "Ich habe die Rücksendung von {items} aus der Bestellung {order} veranlasst. Sobald die Artikel bei uns "
        "eingegangen sind, werden {amount} auf {method} erstattet. Das Rücksendeetikett können Sie jederzeit "
        "bei uns anfordern."
    ),
    "return.pending_approval": (
        "Die Rücksendung von {items} aus der Bestellung {order} (eine Erstattung von {amount} auf {method}) muss "
        "noch kurz von unserem Team freigegeben werden; wir bestätigen sie Ihnen, sobald das erledigt ist."
    ),
    "return.not_delivered": (
        "Die Bestellung {order} ist {status} und noch nicht zugestellt, daher kann sie nicht zurückgesendet werden."
    ),
    "return.not_delivered_pending": (
        " Da sie noch nicht bearbeitet wurde, können Sie sie stattdessen stornieren, wenn Sie möchten: "
        "Nennen Sie uns einfach den Grund (nicht mehr benötigt oder versehentlich bestellt)."
    ),
    "return.bad_method": (
        "Erstattungen für eine Rücksendung sind nur auf die ursprüngliche Zahlungsmethode "
        "({original}) oder auf eine Geschenkkarte möglich. Was davon wäre Ihnen lieber?"
    ),
    # item changes
    "exchange.done": (
        "Ich habe den Umtausch für die Bestellung {order} veranlasst: {changes}. "
        "{difference} Sobald wir die ursprünglichen Artikel erhalten haben, werden die neuen verschickt."
    ),
    "modify.done": "Ich habe die Bestellung {order} geändert: {changes}. {difference}",
    "items.pending_approval": (
        "Die Änderung der Bestellung {order} ({changes}) muss noch kurz von unserem Team freigegeben werden; "
        "wir bestätigen sie Ihnen, sobald das erledigt ist."
    ),
    "items.difference_charge": "Der Preisunterschied von {amount} wird über {method} belastet.",
    "items.difference_refund": "Der Preisunterschied von {amount} wird auf {method} erstattet.",
    "items.difference_none": "Es gibt keinen Preisunterschied.",
    "items.not_changeable": (
        "Die Bestellung {order} ist {status}, daher können ihre Artikel nicht geändert werden: Artikel können "
        "geändert werden, bevor eine Bestellung bearbeitet wird, oder nach der Zustellung umgetauscht werden."
    ),
    "items.already_modified": (
        "Die Artikel der Bestellung {order} wurden bereits einmal geändert, "
        "und die Artikel einer Bestellung können nur ein einziges Mal geändert werden."
    ),
    "items.which_item": "Welchen Artikel der Bestellung {order} möchten Sie ändern? Sie enthält {items}.",
    "items.which_version": "Welche Version von {product} möchten Sie? {choices}",
    "items.unavailable": "{product} mit {wanted} ist derzeit nicht verfügbar.",
    "items.no_such_version": "{product} gibt es bei uns nicht mit {wanted}. Diese Optionen gibt es: {choices}.",
    # shipping address of an order, account address, payment of an order
    "address.done": "Die Bestellung {order} wird jetzt an folgende Adresse geliefert: {address}.",
    "address.missing": (
        "Um die Lieferadresse der Bestellung {order} zu ändern, senden Sie uns bitte die vollständige neue "
        "Adresse (Straße, ggf. Wohnung oder Apartment, Ort, Bundesstaat, Postleitzahl und Land)."
    ),
    "address.not_pending": (
        "Die Bestellung {order} ist {status}, daher kann ihre Lieferadresse nicht mehr geändert werden."
    ),
    "user_address.done": "Die Standardadresse Ihres Kontos lautet jetzt: {address}.",
    "user_address.missing": (
        "Bitte senden Sie uns die vollständige neue Adresse für Ihr Konto (Straße, "
        "ggf. Wohnung oder Apartment, Ort, Bundesstaat, Postleitzahl und Land)."
    ),
    "payment.done": (
        "Die Bestellung {order} wird jetzt mit {method} bezahlt; die zuvor gezahlten {amount} werden "
        "auf {old_method} erstattet."
    ),
    "payment.same": "Die Bestellung {order} ist bereits mit {method} bezahlt, es gibt also nichts zu ändern.",
    "payment.not_pending": (
        "Die Bestellung {order} ist {status}, daher kann ihre Zahlungsmethode nicht mehr geändert werden."
    ),
    "payment.which": (
        "Welche Zahlungsmethode möchten Sie für die Bestellung {order} verwenden? In Ihrem Konto: {methods}."
    ),
    "payment.unknown": (
        "Ich konnte {described} unter den Zahlungsmethoden in Ihrem Konto ({methods}) nicht finden. "
        "Welche möchten Sie verwenden?"
    ),
    "payment.insufficient": (
        "Das Guthaben der Geschenkkarte reicht für diese Änderung nicht aus. "
        "Welche andere Zahlungsmethode aus Ihrem Konto möchten Sie verwenden ({methods})?"
    ),
    # status, billing, products, troubleshooting
    "status.line": "Die Bestellung {order} ist {status}{status_note}.",
    "status.items": "Sie enthält {items}.",
    "status.tracking": "Sendungsnummer {tracking}{carrier}{latest}.",
    "status.refunds": "Erstattungen zu dieser Bestellung: {refunds}.",
    "billing.method": "Bestellung {order} wurde mit {method} bezahlt.",
    "billing.line": "Für die Bestellung {order} haben Sie {paid} bezahlt{refunded}.",
    "billing.item": (
        "Sie haben {price} für {item} bezahlt (Bestellung {order}); diesen Betrag erhalten Sie auch bei einer "
        "Rücksendung erstattet."
    ),
    "billing.items_total": "Zusammen ergibt das {total}.",
    "product.variant": "{product} ({options}) kostet {price} und ist {availability}.",
    "team.answer": "{lines}.",
    "write.waiting": (
        "Diese Änderung habe ich noch nicht vorgenommen: Ich erledige sie zusammen mit dem Rest, "
        "sobald Sie meine Frage beantwortet haben."
    ),
    "write.unsure": (
        "Ich habe noch nichts geändert: Ein Teil Ihrer Anfrage lässt sich auf mehr als eine Weise verstehen. "
        "Können Sie uns genau bestätigen, welche Artikel Sie zurücksenden oder ändern möchten und wohin das Geld "
        "gehen soll?"
    ),
    "team.not_found": (
        "Das konnte ich in den Angaben zu Ihrem Konto, die mir vorliegen, nicht finden. Können Sie uns etwas "
        "genauer sagen, was Sie wissen möchten?"
    ),
    "product.available": "auf Lager",
    "product.unavailable": "derzeit nicht vorrätig",
    "product.many": (
        "{product} gibt es in {count} Versionen, die zu Ihrer Beschreibung passen ({in_stock} davon sind derzeit "
        "auf Lager), von {low} bis {high}. "
        "Nennen Sie mir die gewünschten Optionen (zum Beispiel {keys}), dann nenne ich Ihnen den genauen Preis."
    ),
    "product.unknown": (
        "Ich konnte {what} in unserem Katalog nicht finden. Können Sie uns den Namen des Produkts so nennen, "
        "wie er in unserem Shop steht?"
    ),
    "trouble.answer": "Unsere Anleitung \u201e{title}\u201c empfiehlt: {steps}",
    "trouble.source": "(Quelle: {document})",
    "trouble.none": (
        "Ich konnte keine Anleitung für dieses Problem finden und habe es daher an unser technisches Team "
        "weitergegeben, das sich bei Ihnen meldet."
    ),
    "policy.answer": "Aus unseren Shop-Richtlinien \u201e{title}\u201c: {steps}",
    "policy.none": (
        "Ich konnte dazu nichts in unseren Shop-Richtlinien finden und habe Ihre Frage daher an unser Team "
        "weitergegeben, das sich bei Ihnen meldet."
    ),
    # questions back, refusals, escalation, failures
    "identity.needed": (
        "Um Ihnen zu helfen, muss ich zuerst Ihr Konto bestätigen: Bitte antworten Sie mit der "
        "E-Mail-Adresse Ihres Kontos oder mit Ihrem vollständigen Namen und Ihrer Postleitzahl."
    ),
    "identity.not_found": (
        "Ich konnte kein Konto mit Ihren Angaben finden. Bitte antworten Sie mit der E-Mail-Adresse Ihres Kontos "
        "oder mit Ihrem vollständigen Namen und Ihrer Postleitzahl, wie sie im Konto hinterlegt sind."
    ),
    "order.not_found": "Ich konnte die Bestellung {order} nicht finden. Können Sie die Bestellnummer überprüfen?",
    "order.missing": "Um welche Bestellung geht es? Bitte senden Sie uns die Bestellnummer (sie beginnt mit #W).",
    "order.which_of": "Mehrere Ihrer Bestellungen kommen infrage: {orders}. Welche meinen Sie?",
    "order.foreign": (
        "Die Bestellung {order} gehört nicht zu Ihrem Konto, "
        "daher kann ich dazu keine Auskunft geben oder Änderungen vornehmen."
    ),
    "order.someone_elses": (
        "Ich kann nur Bestellungen des Kontos bearbeiten, von dem Sie schreiben, und keine Ihrer Bestellungen passt. "
        "Für die Bestellung einer anderen Person muss sich der Kontoinhaber selbst bei uns melden."
    ),
    "refused.injection": (
        "Ich kann keine Anweisungen ausführen, die in eine Nachricht geschrieben wurden, daher habe ich nichts "
        "geändert. Wenn Sie für Ihr eigenes Konto etwas benötigen, schildern Sie es uns bitte in Ihren eigenen "
        "Worten."
    ),
    "not_understood": "Entschuldigung, ich habe Ihre Nachricht nicht verstanden. Wobei können wir Ihnen helfen?",
    "escalated.human": "Ich habe Ihr Anliegen an ein Teammitglied weitergegeben, das sich bei Ihnen meldet.",
    "escalated.safety": (
        "Bitte benutzen Sie das Produkt nicht mehr und lassen Sie es ausgesteckt, fern von allem, was brennen kann. "
        "Ich habe Ihre Nachricht als dringend an unser Team weitergegeben: "
        "Ein Teammitglied meldet sich innerhalb eines Werktags bei Ihnen."
    ),
    "escalated.abuse": (
        "Ich habe Ihre Nachricht an einen erfahrenen Mitarbeiter unseres Teams weitergegeben, der sich darum "
        "kümmert und sich bei Ihnen meldet."
    ),
    "escalated.legal": (
        "Ich habe Ihre Nachricht an das zuständige Team weitergeleitet, das sie prüft und sich bei Ihnen meldet."
    ),
    "escalated.other": "Ich habe Ihr Anliegen an ein Teammitglied weitergegeben, das sich bei Ihnen meldet.",
    "failed": (
        "Das konnte ich wegen eines technischen Problems auf unserer Seite nicht abschließen; "
        "ich habe es an unser Team weitergegeben, das sich darum kümmert."
    ),
    "approval.note": (
        "Ein Teil davon muss noch kurz von unserem Team freigegeben werden; wir bestätigen es Ihnen, "
        "sobald das erledigt ist."
    ),
    "items.other_product": (
        "Ein Umtausch ist nur gegen eine andere Ausführung desselben Produkts möglich, daher kann ich "
        "Ihr {product} nicht gegen {other} tauschen. Sie können {product} zurückgeben (innerhalb der "
        "Rückgabefrist) und {other} separat bestellen; ich habe nichts geändert."
    ),
}
