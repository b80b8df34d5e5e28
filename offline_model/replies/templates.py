"""Reply sentences per language. English is complete; Spanish, French, German, Portuguese and
Italian cover the simple requests (cancellations, order status, questions back, refusals,
escalations). A message missing in a language falls back to English."""

from __future__ import annotations

EN = {
    "greeting": "Hello {name},",
    "greeting_anonymous": "Hello,",
    "closing": "Best regards,\nCustomer Support",
    "thanks": "Thank you for contacting us.",
    # cancellations
    "cancel.done": "Your order {order} has been cancelled (reason: {reason}).",
    "cancel.refund": "A refund of {amount} goes back to {method}.",
    "cancel.refund_gift_card": "A refund of {amount} has been credited to {method} right away.",
    "cancel.pending_approval": (
        "Your cancellation of order {order} needs a quick approval from our team; "
        "we will confirm as soon as it is done."
    ),
    "cancel.need_reason": (
        "I can cancel order {order} for you. Before I do, could you tell me the reason: "
        "you no longer need it, or it was ordered by mistake?"
    ),
    "cancel.not_pending": (
        "Order {order} is {status}, so it can no longer be cancelled: "
        "only orders that have not been processed yet can be."
    ),
    "condition.status_kept": (
        "Order {order} is {status}, so it has already left the pending stage: as you asked, I have left it as it is."
    ),
    "condition.no_tracking": (
        "It has no tracking number yet; you'll get one as soon as the parcel is handed to the carrier."
    ),
    "condition.not_met": "I have not changed {item}: {why}, so as you asked I left it as it is.",
    "condition.price": "the new version costs {new} and you paid {old} (a difference of {diff})",
    "condition.unavailable": "the version you asked for ({wanted}) is not available",
    "condition.instead": (
        "The version you asked for first ({wanted}) is not available, so as you said I chose the one with {other}."
    ),
    "condition.balance_other": (
        "Your gift card balance ({balance}) does not cover the {amount}, so as you asked it went on {method}."
    ),
    "condition.balance_short": (
        "Your gift card balance is {balance}, which does not cover the {total} of order {order}, "
        "so as you asked the payment stays on {method}."
    ),
    "items.which_item_condition": (
        "I could not tell which of the changes your conditions are about, so I have not changed anything yet. "
        "Could you tell me which item each condition is for?"
    ),
    "condition.fallback": "{first} could not be used, so as you suggested I used {method} instead.",
    "exception.kept_orders": "As you asked, {orders} stays as it is.",
    "exception.which_kept": (
        "I haven't changed anything yet: which order do you mean by \u201c{phrase}\u201d? Please send its order "
        "number (it starts with #W)."
    ),
    "cancel.not_pending_delivered": " If you don't want the items, you can ask us to return them.",
    # returns
    "return.done": (
        "I've set up the return of {items} from order {order}. Once the items are back with us, "
        "the refund of {amount} goes to {method}. You can ask us for the return label at any time."
    ),
    "return.pending_approval": (
        "The return of {items} from order {order} (a refund of {amount} to {method}) needs a quick "
        "approval from our team; we will confirm as soon as it is done."
    ),
    "return.not_delivered": "Order {order} is {status}, not delivered yet, so it can't be returned.",
    "return.not_delivered_pending": (
        " As it hasn't been processed yet, you can cancel it instead if you like: "
        "just tell us the reason (no longer needed, or ordered by mistake)."
    ),
    "return.bad_method": (
        "Refunds for a return can go only to the original payment method "
        "({original}) or to a gift card. Which of these would you like?"
    ),
    # item changes
    "exchange.done": (
        "I've set up the exchange on order {order}: {changes}. "
        "{difference} Once we receive the original items, the new ones are on their way."
    ),
    "modify.done": "I've updated order {order}: {changes}. {difference}",
    "items.pending_approval": (
        "The change to order {order} ({changes}) needs a quick approval from our team; "
        "we will confirm as soon as it is done."
    ),
    "items.difference_charge": "The price difference of {amount} is charged to {method}.",
    "items.difference_refund": "The price difference of {amount} is refunded to {method}.",
    "items.difference_none": "There is no price difference.",
    "items.not_changeable": (
        "Order {order} is {status}, so its items can't be changed: "
        "items can be changed before an order is processed, or exchanged once it is delivered."
    ),
    "items.already_modified": (
        "The items of order {order} have already been changed once, and an order's items can only be changed one time."
    ),
    "items.which_item": "Which item of order {order} would you like to change? It contains {items}.",
    "items.which_version": "Which version of the {product} would you like? {choices}",
    "items.unavailable": "The {product} with {wanted} is not available at the moment.",
    "items.no_such_version": "We don't have the {product} with {wanted}. The options it comes in: {choices}.",
    # shipping address of an order, account address, payment of an order
    "address.done": "Order {order} will now be shipped to {address}.",
    "address.missing": (
        "To change the shipping address of order {order}, please send the full new "
        "address (street, apartment or suite if any, city, state, zip code and country)."
    ),
    "address.not_pending": "Order {order} is {status}, so its shipping address can no longer be changed.",
    "user_address.done": "The default address on your account is now {address}.",
    "user_address.missing": (
        "Please send the full new address for your account (street, "
        "apartment or suite if any, city, state, zip code and country)."
    ),
    "payment.done": "Order {order} is now paid with {method}; the {amount} paid before goes back to {old_method}.",
    "payment.same": "Order {order} is already paid with {method}, so there is nothing to change.",
    "payment.not_pending": "Order {order} is {status}, so its payment method can no longer be changed.",
    "payment.which": "Which payment method would you like to use for order {order}? On your account: {methods}.",
    "payment.unknown": (
        "I couldn't find {described} among the payment methods on your account ({methods}). "
        "Which one would you like to use?"
    ),
    "payment.insufficient": (
        "The gift card balance doesn't cover this change. "
        "Which other payment method on your account would you like to use ({methods})?"
    ),
    # status, billing, products, troubleshooting
    "status.line": "Order {order} is {status}{status_note}.",
    "status.items": "It contains {items}.",
    "status.tracking": "Tracking number {tracking}{carrier}{latest}.",
    "status.refunds": "Refunds made on this order: {refunds}.",
    "billing.line": "For order {order} you paid {paid}{refunded}.",
    "billing.item": "You paid {price} for {item} (order {order}); that is also what a return of it refunds.",
    "billing.items_total": "Together that comes to {total}.",
    "product.variant": "The {product} ({options}) costs {price} and is {availability}.",
    "team.answer": "{lines}.",
    "write.waiting": (
        "I haven't made this change yet: I'll make it together with the rest as soon as you've answered my question."
    ),
    "write.unsure": (
        "I haven't changed anything yet: part of your request can be read in more than one way. Could you "
        "confirm exactly which items you'd like to send back or change, and where the money should go?"
    ),
    "team.not_found": (
        "I couldn't find that in what I can see of your account. Could you tell me a little more about what "
        "you'd like to know?"
    ),
    "items.other_product": (
        "An exchange or change can only be for another version of the same product, so I can't swap your {product} "
        "for the {other}. You can return the {product} (if it's within the return window) and order the {other} "
        "separately; I haven't changed anything."
    ),
    "product.available": "in stock",
    "product.unavailable": "currently out of stock",
    "product.many": (
        "The {product} comes in {count} versions matching your description ({in_stock} of them in stock right "
        "now), from {low} to {high}. "
        "Tell me the options you'd like (for example {keys}) and I'll give you the exact price."
    ),
    "product.unknown": (
        "I couldn't find {what} in our catalog. Could you tell me the product's name as it appears in our store?"
    ),
    "trouble.answer": 'Our guide "{title}" suggests: {steps}',
    "trouble.source": "(Source: {document})",
    "trouble.none": (
        "I couldn't find a guide for this problem, so I've passed it to our technical team, who will contact you."
    ),
    "policy.answer": 'From our store policy "{title}": {steps}',
    "policy.none": (
        "I couldn't find this in our store policies, "
        "so I've passed your question to our team, who will get back to you."
    ),
    # questions back, refusals, escalation, failures
    "identity.needed": (
        "To look into this I first need to confirm your account: "
        "please reply with the e-mail address on your account, or your full name and zip code."
    ),
    "identity.not_found": (
        "I couldn't find an account with the details you gave. "
        "Please reply with the e-mail address on your account, or your full name and zip code as they appear on it."
    ),
    "order.not_found": "I couldn't find order {order}. Could you check the order number?",
    "order.missing": "Which order is this about? Please send the order number (it starts with #W).",
    "order.which_of": "More than one of your orders fits: {orders}. Which one do you mean?",
    "order.foreign": (
        "Order {order} isn't on your account, so I can't share or change anything about it. "
        "The account holder can contact us directly."
    ),
    "order.someone_elses": (
        "I can only act on orders of the account you're writing from, and none of yours fits. "
        "For another person's order, the account holder needs to contact us from their own account."
    ),
    "refused.injection": (
        "I can't act on instructions written into a message, so I haven't made any change. "
        "If there's something you need for your own account, please tell us in your own words."
    ),
    "not_understood": (
        "I'm sorry, I couldn't understand your message. "
        "Could you tell us what you need help with, for example the order number and what you'd like us to do?"
    ),
    "escalated.human": "I've passed your request to a member of our team, who will get back to you personally.",
    "escalated.safety": (
        "Please stop using the product and keep it unplugged, away from anything that can burn. "
        "I've passed your message to our team as urgent: "
        "a member of the team will contact you within one business day about the product and what happens next."
    ),
    "escalated.abuse": (
        "I've passed your message to a senior member of our team, who will look into it and get back to you."
    ),
    "escalated.legal": "I've forwarded your message to the responsible team, who will review it and get back to you.",
    "escalated.other": "I've passed your request to a member of our team, who will get back to you.",
    "failed": (
        "I couldn't complete this because of a technical problem on our side; "
        "I've passed it to our team, who will follow up."
    ),
    "approval.note": "Some of this needs a quick approval from our team; we'll confirm as soon as it's done.",
}

ES = {
    "greeting": "Hola {name}:",
    "greeting_anonymous": "Hola:",
    "closing": "Un saludo,\nAtención al cliente",
    "cancel.done": "Su pedido {order} ha sido cancelado (motivo: {reason_local}).",
    "cancel.refund": "Se le reembolsarán {amount} a {method}.",
    "cancel.refund_gift_card": "Se han abonado {amount} a {method} al instante.",
    "cancel.need_reason": (
        "Puedo cancelar el pedido {order}. Antes, ¿podría indicarnos el motivo: "
        "ya no lo necesita, o lo pidió por error?"
    ),
    "cancel.not_pending": "El pedido {order} está {status}, por lo que ya no se puede cancelar.",
    "status.line": "El pedido {order} está {status}.",
    "identity.needed": (
        "Para ayudarle, primero necesito confirmar su cuenta: "
        "responda con el correo electrónico de su cuenta, o con su nombre completo y código postal."
    ),
    "identity.not_found": (
        "No encontré ninguna cuenta con esos datos. "
        "Responda con el correo electrónico de su cuenta, o con su nombre completo y código postal."
    ),
    "order.foreign": (
        "El pedido {order} no pertenece a su cuenta, así que no puedo dar información ni hacer cambios sobre él."
    ),
    "order.someone_elses": (
        "Solo puedo gestionar pedidos de la cuenta desde la que nos escribe, y ninguno de los suyos coincide. "
        "Para el pedido de otra persona, el titular de la cuenta debe contactarnos desde su propia cuenta."
    ),
    "not_understood": "Lo siento, no he entendido su mensaje. ¿Podría indicarnos en qué podemos ayudarle?",
    "escalated.human": "He pasado su solicitud a un miembro de nuestro equipo, que se pondrá en contacto con usted.",
    "escalated.safety": (
        "Por favor, deje de usar el producto y manténgalo desenchufado, lejos de cualquier cosa que pueda arder. "
        "He pasado su mensaje a nuestro equipo como urgente: "
        "un miembro del equipo se pondrá en contacto con usted en un día hábil."
    ),
    "refused.injection": "No puedo seguir instrucciones incluidas en un mensaje, así que no he hecho ningún cambio.",
}

FR = {
    "greeting": "Bonjour {name},",
    "greeting_anonymous": "Bonjour,",
    "closing": "Cordialement,\nLe service client",
    "cancel.done": "Votre commande {order} a été annulée (motif : {reason_local}).",
    "cancel.refund": "Un remboursement de {amount} sera effectué sur {method}.",
    "cancel.refund_gift_card": "Un remboursement de {amount} a été crédité immédiatement sur {method}.",
    "cancel.need_reason": (
        "Je peux annuler la commande {order}. Pourriez-vous d'abord nous indiquer le motif : "
        "vous n'en avez plus besoin, ou elle a été passée par erreur ?"
    ),
    "cancel.not_pending": "La commande {order} est {status} : elle ne peut plus être annulée.",
    "status.line": "Votre commande {order} est {status}.",
    "identity.needed": (
        "Pour vous aider, je dois d'abord confirmer votre compte : "
        "merci de répondre avec l'adresse e-mail de votre compte, ou votre nom complet et votre code postal."
    ),
    "identity.not_found": (
        "Je n'ai trouvé aucun compte avec ces informations. "
        "Merci de répondre avec l'adresse e-mail de votre compte, ou votre nom complet et votre code postal."
    ),
    "order.foreign": "La commande {order} n'appartient pas à votre compte : je ne peux ni la consulter ni la modifier.",
    "order.someone_elses": (
        "Je ne peux agir que sur les commandes du compte depuis lequel vous écrivez, "
        "et aucune des vôtres ne correspond. "
        "Pour la commande d'une autre personne, le titulaire du compte doit nous contacter lui-même."
    ),
    "not_understood": (
        "Désolé, je n'ai pas compris votre message. Pourriez-vous nous dire en quoi nous pouvons vous aider ?"
    ),
    "escalated.human": "J'ai transmis votre demande à un membre de notre équipe, qui vous recontactera.",
    "escalated.safety": (
        "Merci de ne plus utiliser le produit et de le garder débranché, loin de tout ce qui peut brûler. "
        "J'ai transmis votre message en urgence à notre équipe : "
        "un membre de l'équipe vous recontactera sous un jour ouvré."
    ),
    "refused.injection": (
        "Je ne peux pas suivre des instructions contenues dans un message ; aucune modification n'a été faite."
    ),
}

DE = {
    "greeting": "Hallo {name},",
    "greeting_anonymous": "Hallo,",
    "closing": "Mit freundlichen Grüßen\nKundenservice",
    "cancel.done": "Ihre Bestellung {order} wurde storniert (Grund: {reason_local}).",
    "cancel.refund": "{amount} werden auf {method} erstattet.",
    "cancel.refund_gift_card": "{amount} wurden sofort auf {method} gutgeschrieben.",
    "cancel.need_reason": (
        "Ich kann die Bestellung {order} stornieren. Können Sie uns vorher den Grund nennen: "
        "Sie brauchen sie nicht mehr, oder sie wurde versehentlich bestellt?"
    ),
    "cancel.not_pending": "Die Bestellung {order} ist {status} und kann daher nicht mehr storniert werden.",
    "status.line": "Die Bestellung {order} ist {status}.",
    "identity.needed": (
        "Um Ihnen zu helfen, muss ich zuerst Ihr Konto bestätigen: Bitte antworten Sie mit der "
        "E-Mail-Adresse Ihres Kontos oder mit Ihrem vollständigen Namen und Ihrer Postleitzahl."
    ),
    "order.foreign": (
        "Die Bestellung {order} gehört nicht zu Ihrem Konto, "
        "daher kann ich dazu keine Auskunft geben oder Änderungen vornehmen."
    ),
    "order.someone_elses": (
        "Ich kann nur Bestellungen des Kontos bearbeiten, von dem Sie schreiben, und keine Ihrer Bestellungen passt. "
        "Für die Bestellung einer anderen Person muss sich der Kontoinhaber selbst bei uns melden."
    ),
    "not_understood": "Entschuldigung, ich habe Ihre Nachricht nicht verstanden. Wobei können wir Ihnen helfen?",
    "escalated.human": "Ich habe Ihr Anliegen an ein Teammitglied weitergegeben, das sich bei Ihnen meldet.",
    "escalated.safety": (
        "Bitte benutzen Sie das Produkt nicht mehr und lassen Sie es ausgesteckt, fern von allem, was brennen kann. "
        "Ich habe Ihre Nachricht als dringend an unser Team weitergegeben: "
        "Ein Teammitglied meldet sich innerhalb eines Werktags bei Ihnen."
    ),
}

PT = {
    "greeting": "Olá {name},",
    "greeting_anonymous": "Olá,",
    "closing": "Atenciosamente,\nAtendimento ao cliente",
    "cancel.done": "O seu pedido {order} foi cancelado (motivo: {reason_local}).",
    "cancel.refund": "Um reembolso de {amount} será feito para {method}.",
    "cancel.refund_gift_card": "Um reembolso de {amount} foi creditado em {method} imediatamente.",
    "cancel.need_reason": (
        "Posso cancelar o pedido {order}. Antes, pode indicar o motivo: "
        "já não precisa dele, ou foi encomendado por engano?"
    ),
    "cancel.not_pending": "O pedido {order} está {status}, por isso já não pode ser cancelado.",
    "status.line": "O pedido {order} está {status}.",
    "identity.needed": (
        "Para ajudar, preciso primeiro de confirmar a sua conta: "
        "responda com o e-mail da sua conta, ou com o seu nome completo e código postal."
    ),
    "order.foreign": (
        "O pedido {order} não pertence à sua conta, por isso não posso dar informações nem fazer alterações."
    ),
    "order.someone_elses": (
        "Só posso tratar de pedidos da conta a partir da qual nos escreve, e nenhum dos seus corresponde. "
        "Para o pedido de outra pessoa, o titular da conta deve contactar-nos a partir da sua própria conta."
    ),
    "not_understood": "Desculpe, não entendi a sua mensagem. Pode dizer-nos como podemos ajudar?",
    "escalated.human": "Passei o seu pedido a um membro da nossa equipa, que entrará em contacto consigo.",
    "escalated.safety": (
        "Por favor, deixe de usar o produto e mantenha-o desligado da corrente, longe de tudo o que possa arder. "
        "Passei a sua mensagem à nossa equipa como urgente: "
        "um membro da equipa entrará em contacto consigo dentro de um dia útil."
    ),
}

IT = {
    "greeting": "Buongiorno {name},",
    "greeting_anonymous": "Buongiorno,",
    "closing": "Cordiali saluti,\nAssistenza clienti",
    "cancel.done": "Il suo ordine {order} è stato annullato (motivo: {reason_local}).",
    "cancel.refund": "Un rimborso di {amount} verrà effettuato su {method}.",
    "cancel.refund_gift_card": "Un rimborso di {amount} è stato accreditato subito su {method}.",
    "cancel.need_reason": (
        "Posso annullare l'ordine {order}. Prima, può indicarci il motivo: "
        "non le serve più, oppure è stato ordinato per errore?"
    ),
    "cancel.not_pending": "L'ordine {order} è {status}, quindi non può più essere annullato.",
    "status.line": "L'ordine {order} è {status}.",
    "identity.needed": (
        "Per aiutarla devo prima confermare il suo account: "
        "risponda con l'e-mail del suo account, oppure con nome completo e CAP."
    ),
    "order.foreign": (
        "L'ordine {order} non appartiene al suo account, quindi non posso fornire informazioni né modificarlo."
    ),
    "order.someone_elses": (
        "Posso gestire solo gli ordini dell'account da cui ci scrive, e nessuno dei suoi corrisponde. "
        "Per l'ordine di un'altra persona, il titolare dell'account deve contattarci dal proprio account."
    ),
    "not_understood": "Mi scusi, non ho capito il suo messaggio. Può dirci come possiamo aiutarla?",
    "escalated.human": "Ho inoltrato la sua richiesta a un membro del nostro team, che la ricontatterà.",
    "escalated.safety": (
        "La preghiamo di non usare più il prodotto e di tenerlo scollegato, lontano da ciò che può bruciare. "
        "Ho inoltrato il suo messaggio al nostro team come urgente: "
        "un membro del team la ricontatterà entro un giorno lavorativo."
    ),
}

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
PAYMENT_WORDS = {
    "es": {
        "your PayPal account": "su cuenta de PayPal",
        "your gift card": "su tarjeta regalo",
        "your original payment method": "su método de pago original",
        "ending in": "terminada en",
        "your ": "su ",
    },
    "fr": {
        "your PayPal account": "votre compte PayPal",
        "your gift card": "votre carte cadeau",
        "your original payment method": "votre moyen de paiement d'origine",
        "ending in": "se terminant par",
        "your ": "votre ",
    },
    "de": {
        "your PayPal account": "Ihr PayPal-Konto",
        "your gift card": "Ihre Geschenkkarte",
        "your original payment method": "Ihre ursprüngliche Zahlungsmethode",
        "ending in": "mit Endziffern",
        "your ": "Ihre ",
    },
    "pt": {
        "your PayPal account": "a sua conta PayPal",
        "your gift card": "o seu cartão-presente",
        "your original payment method": "o seu método de pagamento original",
        "ending in": "terminado em",
        "your ": "o seu ",
    },
    "it": {
        "your PayPal account": "il suo conto PayPal",
        "your gift card": "la sua carta regalo",
        "your original payment method": "il suo metodo di pagamento originale",
        "ending in": "che termina con",
        "your ": "la sua ",
    },
}
