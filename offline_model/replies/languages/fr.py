"""French reply sentences (vous)."""

from __future__ import annotations

FR = {
    "greeting": "Bonjour {name},",
    "greeting_anonymous": "Bonjour,",
    "closing": "Cordialement,\nLe service client",
    "thanks": "Merci de nous avoir contactés.",
    # cancellations
    "cancel.done": "Votre commande {order} a été annulée (motif : {reason_local}).",
    "cancel.refund": "Un remboursement de {amount} sera effectué sur {method}.",
    "cancel.refund_gift_card": "Un remboursement de {amount} a été crédité immédiatement sur {method}.",
    "cancel.pending_approval": (
        "L'annulation de votre commande {order} doit être rapidement validée par notre équipe ; "
        "nous vous la confirmerons dès que ce sera fait."
    ),
    "cancel.need_reason": (
        "Je peux annuler la commande {order}. Pourriez-vous d'abord nous indiquer le motif : "
        "vous n'en avez plus besoin, ou elle a été passée par erreur ?"
    ),
    "cancel.not_pending": "La commande {order} est {status} : elle ne peut plus être annulée.",
    "condition.status_kept": (
        "La commande {order} est {status} : elle n'est donc plus en attente, et comme vous l'avez demandé, "
        "je l'ai laissée telle quelle."
    ),
    "condition.no_tracking": (
        "Elle n'a pas encore de numéro de suivi ; vous en recevrez un dès que le colis sera remis au transporteur."
    ),
    "condition.returned_instead": (
        "Je n'ai pas modifié {item} : {why} ; comme vous l'avez demandé, il est donc retourné à la place."
    ),
    "condition.not_met": ("Je n'ai pas modifié {item} : {why} ; comme vous l'avez demandé, je n'y ai donc pas touché."),
    "condition.price": "la nouvelle version coûte {new} et vous avez payé {old} (soit une différence de {diff})",
    "condition.unavailable": "la version demandée ({wanted}) n'est pas disponible",
    "condition.instead": (
        "La version que vous aviez demandée en premier ({wanted}) n'est pas disponible ; comme vous l'avez indiqué, "
        "j'ai donc choisi celle avec {other}."
    ),
    "condition.balance_other": (
        "Le solde de votre carte cadeau ({balance}) ne couvre pas les {amount} ; comme vous l'avez demandé, "
        "ils ont donc été réglés avec {method}."
    ),
    "condition.balance_short": (
        "Le solde de votre carte cadeau est de {balance}, ce qui ne couvre pas les {total} de la commande {order} ; "
        "comme vous l'avez demandé, le paiement reste donc sur {method}."
    ),
    "items.which_item_condition": (
        "Je n'ai pas pu déterminer à quelles modifications se rapportent vos conditions, je n'ai donc encore rien "
        "modifié. Pourriez-vous nous préciser à quel article correspond chaque condition ?"
    ),
    "condition.fallback": (
        "Il n'a pas été possible d'utiliser {first} ; comme vous l'avez proposé, j'ai donc utilisé {method} à la place."
    ),
    "exception.kept_orders": "Comme vous l'avez demandé, je n'ai apporté aucune modification à {orders}.",
    "exception.which_kept": (
        "Je n'ai encore rien modifié : de quelle commande parlez-vous avec « {phrase} » ? Merci de nous envoyer "
        "son numéro de commande (il commence par #W)."
    ),
    "cancel.not_pending_delivered": (
        " Si vous ne souhaitez pas garder les articles, vous pouvez nous demander un retour."
    ),
    # returns
    "return.done": (
        "J'ai enregistré le retour de {items} de la commande {order}. Dès que les articles nous seront parvenus, "
        "le remboursement de {amount} sera effectué sur {method}. Vous pouvez nous demander l'étiquette de retour "
        "à tout moment."
    ),
    "return.pending_approval": (
        "Le retour de {items} de la commande {order} (un remboursement de {amount} sur {method}) doit être "
        "rapidement validé par notre équipe ; nous vous le confirmerons dès que ce sera fait."
    ),
    "return.not_delivered": (
        "La commande {order} est {status} et n'a pas encore été livrée : elle ne peut donc pas être retournée."
    ),
    "return.not_delivered_pending": (
        " Comme elle n'a pas encore été traitée, vous pouvez l'annuler à la place si vous le souhaitez : "
        "indiquez-nous simplement le motif (vous n'en avez plus besoin, ou elle a été passée par erreur)."
    ),
    "return.bad_method": (
        "Le remboursement d'un retour ne peut être effectué que sur le moyen de paiement d'origine "
        "({original}) ou sur une carte cadeau. Lequel préférez-vous ?"
    ),
    # item changes
    "exchange.done": (
        "J'ai enregistré l'échange sur la commande {order} : {changes}. "
        "{difference} Dès réception des articles d'origine, les nouveaux vous seront expédiés."
    ),
    "modify.done": "J'ai mis à jour la commande {order} : {changes}. {difference}",
    "items.pending_approval": (
        "La modification de la commande {order} ({changes}) doit être rapidement validée par notre équipe ; "
        "nous vous la confirmerons dès que ce sera fait."
    ),
    "items.difference_charge": "La différence de prix de {amount} est débitée sur {method}.",
    "items.difference_refund": "La différence de prix de {amount} est remboursée sur {method}.",
    "items.difference_none": "Il n'y a pas de différence de prix.",
    "items.not_changeable": (
        "La commande {order} est {status} : ses articles ne peuvent donc pas être modifiés. Les articles peuvent "
        "être modifiés avant le traitement de la commande, ou échangés une fois celle-ci livrée."
    ),
    "items.already_modified": (
        "Les articles de la commande {order} ont déjà été modifiés une fois, "
        "et les articles d'une commande ne peuvent être modifiés qu'une seule fois."
    ),
    "items.which_item": "Quel article de la commande {order} souhaitez-vous modifier ? Elle contient {items}.",
    "items.which_version": "Quelle version de {product} souhaitez-vous ? {choices}",
    "items.unavailable": "{product} avec {wanted} n'est pas disponible pour le moment.",
    "items.no_such_version": "Nous n'avons pas {product} avec {wanted}. Les options disponibles : {choices}.",
    # shipping address of an order, account address, payment of an order
    "address.done": "La commande {order} sera désormais livrée à l'adresse suivante : {address}.",
    "address.missing": (
        "Pour modifier l'adresse de livraison de la commande {order}, merci de nous envoyer la nouvelle adresse "
        "complète (rue, appartement ou bâtiment le cas échéant, ville, État, code postal et pays)."
    ),
    "address.not_pending": ("La commande {order} est {status} : son adresse de livraison ne peut plus être modifiée."),
    "user_address.done": "L'adresse par défaut de votre compte est désormais : {address}.",
    "user_address.missing": (
        "Merci de nous envoyer la nouvelle adresse complète de votre compte (rue, "
        "appartement ou bâtiment le cas échéant, ville, État, code postal et pays)."
    ),
    "payment.done": (
        "La commande {order} est désormais réglée avec {method} ; les {amount} payés auparavant sont remboursés "
        "sur {old_method}."
    ),
    "payment.same": "La commande {order} est déjà réglée avec {method} : il n'y a donc rien à changer.",
    "payment.not_pending": "La commande {order} est {status} : son moyen de paiement ne peut plus être modifié.",
    "payment.which": (
        "Quel moyen de paiement souhaitez-vous utiliser pour la commande {order} ? Sur votre compte : {methods}."
    ),
    "payment.unknown": (
        "Je n'ai pas trouvé {described} parmi les moyens de paiement de votre compte ({methods}). "
        "Lequel souhaitez-vous utiliser ?"
    ),
    "payment.insufficient": (
        "Le solde de la carte cadeau ne couvre pas cette modification. "
        "Quel autre moyen de paiement de votre compte souhaitez-vous utiliser ({methods}) ?"
    ),
    # status, billing, products, troubleshooting
    "status.line": "Votre commande {order} est {status}{status_note}.",
    "status.items": "Elle contient {items}.",
    "status.tracking": "Numéro de suivi {tracking}{carrier}{latest}.",
    "status.refunds": "Remboursements effectués sur cette commande : {refunds}.",
    "billing.method": "La commande {order} a été payée avec {method}.",
    "billing.line": "Pour la commande {order}, vous avez payé {paid}{refunded}.",
    "billing.item": (
        "Vous avez payé {price} pour {item} (commande {order}) ; c'est aussi le montant remboursé en cas de retour."
    ),
    "billing.items_total": "Cela fait {total} au total.",
    "product.variant": "{product} ({options}) coûte {price} et est {availability}.",
    "team.answer": "{lines}.",
    "write.waiting": (
        "Je n'ai pas encore effectué cette modification : je l'effectuerai avec le reste dès que vous aurez "
        "répondu à ma question."
    ),
    "write.unsure": (
        "Je n'ai encore rien modifié : une partie de votre demande peut se comprendre de plusieurs façons. "
        "Pourriez-vous nous confirmer précisément quels articles vous souhaitez renvoyer ou modifier, "
        "et où l'argent doit être versé ?"
    ),
    "team.not_found": (
        "Je n'ai pas trouvé cette information dans ce que je peux consulter de votre compte. "
        "Pourriez-vous nous en dire un peu plus sur ce que vous souhaitez savoir ?"
    ),
    "product.available": "en stock",
    "product.unavailable": "actuellement en rupture de stock",
    "product.many": (
        "{product} existe en {count} versions correspondant à votre description ({in_stock} en stock "
        "actuellement), de {low} à {high}. "
        "Indiquez-nous les options souhaitées (par exemple {keys}) et nous vous donnerons le prix exact."
    ),
    "product.unknown": (
        "Je n'ai pas trouvé {what} dans notre catalogue. "
        "Pourriez-vous nous indiquer le nom du produit tel qu'il apparaît dans notre boutique ?"
    ),
    "trouble.answer": "Notre guide « {title} » recommande : {steps}",
    "trouble.source": "(Source : {document})",
    "trouble.none": (
        "Je n'ai pas trouvé de guide pour ce problème ; je l'ai donc transmis à notre équipe technique, "
        "qui vous contactera."
    ),
    "policy.answer": "Selon la politique de notre boutique « {title} » : {steps}",
    "policy.none": (
        "Je n'ai pas trouvé cette information dans les politiques de notre boutique ; "
        "j'ai donc transmis votre question à notre équipe, qui vous répondra."
    ),
    # questions back, refusals, escalation, failures
    "identity.needed": (
        "Pour vous aider, je dois d'abord confirmer votre compte : "
        "merci de répondre avec l'adresse e-mail de votre compte, ou votre nom complet et votre code postal."
    ),
    "identity.not_found": (
        "Je n'ai trouvé aucun compte avec ces informations. "
        "Merci de répondre avec l'adresse e-mail de votre compte, ou votre nom complet et votre code postal."
    ),
    "order.not_found": "Je n'ai pas trouvé la commande {order}. Pourriez-vous vérifier le numéro de commande ?",
    "order.missing": (
        "De quelle commande s'agit-il ? Merci de nous envoyer le numéro de commande (il commence par #W)."
    ),
    "order.which_of": "Plusieurs de vos commandes correspondent : {orders}. De laquelle s'agit-il ?",
    "order.foreign": "La commande {order} n'appartient pas à votre compte : je ne peux ni la consulter ni la modifier.",
    "order.someone_elses": (
        "Je ne peux agir que sur les commandes du compte depuis lequel vous écrivez, "
        "et aucune des vôtres ne correspond. "
        "Pour la commande d'une autre personne, le titulaire du compte doit nous contacter lui-même."
    ),
    "refused.injection": (
        "Je ne peux pas suivre des instructions contenues dans un message ; aucune modification n'a été faite."
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
    "escalated.abuse": (
        "J'ai transmis votre message à un responsable de notre équipe, qui l'examinera et vous recontactera."
    ),
    "escalated.legal": "J'ai transmis votre message au service compétent, qui l'examinera et vous recontactera.",
    "escalated.other": "J'ai transmis votre demande à un membre de notre équipe, qui vous recontactera.",
    "failed": (
        "Je n'ai pas pu traiter votre demande en raison d'un problème technique de notre côté ; "
        "je l'ai transmise à notre équipe, qui assurera le suivi."
    ),
    "approval.note": (
        "Une partie de votre demande doit être rapidement validée par notre équipe ; "
        "nous vous la confirmerons dès que ce sera fait."
    ),
    "items.other_product": (
        "Un échange ne peut se faire que contre une autre version du même produit : je ne peux donc pas "
        "échanger votre {product} contre {other}. Vous pouvez retourner votre {product} (dans le délai "
        "de retour) et commander {other} séparément ; je n'ai rien modifié."
    ),
}
