"""Spanish reply sentences (usted)."""

from __future__ import annotations

ES = {
    "greeting": "Hola {name}:",
    "greeting_anonymous": "Hola:",
    "closing": "Un saludo,\nAtención al cliente",
    "thanks": "Gracias por ponerse en contacto con nosotros.",
    # cancellations
    "cancel.done": "Su pedido {order} ha sido cancelado (motivo: {reason_local}).",
    "cancel.refund": "Se le reembolsarán {amount} a {method}.",
    "cancel.refund_gift_card": "Se han abonado {amount} a {method} al instante.",
    "cancel.pending_approval": (
        "La cancelación del pedido {order} necesita una breve aprobación de nuestro equipo; "
        "se la confirmaremos en cuanto esté hecha."
    ),
    "cancel.need_reason": (
        "Puedo cancelar el pedido {order}. Antes, ¿podría indicarnos el motivo: "
        "ya no lo necesita, o lo pidió por error?"
    ),
    "cancel.not_pending": "El pedido {order} está {status}, por lo que ya no se puede cancelar.",
    "condition.status_kept": (
        "El pedido {order} está {status}, así que ya no está pendiente: tal como nos pidió, lo he dejado como está."
    ),
    "condition.no_tracking": (
        "Todavía no tiene número de seguimiento; recibirá uno en cuanto el paquete se entregue al transportista."
    ),
    "condition.returned_instead": (
        "No he modificado {item}: {why}, así que, tal como nos pidió, se devuelve en su lugar."
    ),
    "condition.not_met": "No he modificado {item}: {why}, así que, tal como nos pidió, lo he dejado como está.",
    "condition.price": "la nueva versión cuesta {new} y usted pagó {old} (una diferencia de {diff})",
    "condition.unavailable": "la versión que pidió ({wanted}) no está disponible",
    "condition.instead": (
        "La versión que pidió en primer lugar ({wanted}) no está disponible, así que, tal como indicó, "
        "he elegido la que tiene {other}."
    ),
    "condition.balance_other": (
        "El saldo de su tarjeta regalo ({balance}) no cubre los {amount}, así que, tal como nos pidió, "
        "se han cargado a {method}."
    ),
    "condition.balance_short": (
        "El saldo de su tarjeta regalo es de {balance}, que no cubre los {total} del pedido {order}, "
        "así que, tal como nos pidió, el pago se mantiene en {method}."
    ),
    "items.which_item_condition": (
        "No he podido saber a cuál de los cambios se refieren sus condiciones, así que todavía no he modificado nada. "
        "¿Podría indicarnos a qué artículo corresponde cada condición?"
    ),
    "condition.fallback": "No se ha podido usar {first}, así que, tal como sugirió, he usado {method} en su lugar.",
    "exception.kept_orders": "Como nos pidió, no he hecho ningún cambio en {orders}.",
    "exception.which_kept": (
        "Todavía no he modificado nada: ¿a qué pedido se refiere con «{phrase}»? Por favor, envíenos su número "
        "de pedido (empieza por #W)."
    ),
    "cancel.not_pending_delivered": " Si no desea los artículos, puede solicitarnos su devolución.",
    # returns
    "return.done": (
        "He gestionado la devolución de {items} del pedido {order}. En cuanto recibamos los artículos, "
        "el reembolso de {amount} se abonará a {method}. Puede solicitarnos la etiqueta de devolución "
        "en cualquier momento."
    ),
    "return.pending_approval": (
        "La devolución de {items} del pedido {order} (un reembolso de {amount} a {method}) necesita una breve "
        "aprobación de nuestro equipo; se la confirmaremos en cuanto esté hecha."
    ),
    "return.not_delivered": (
        "El pedido {order} está {status}, todavía no se ha entregado, así que no se puede devolver."
    ),
    "return.not_delivered_pending": (
        " Como todavía no se ha procesado, si lo desea puede cancelarlo: "
        "solo tiene que indicarnos el motivo (ya no lo necesita, o lo pidió por error)."
    ),
    "return.bad_method": (
        "El reembolso de una devolución solo puede hacerse al método de pago original "
        "({original}) o a una tarjeta regalo. ¿Cuál de los dos prefiere?"
    ),
    # item changes
    "exchange.done": (
        "He gestionado el cambio en el pedido {order}: {changes}. "
        "{difference} En cuanto recibamos los artículos originales, le enviaremos los nuevos."
    ),
    "modify.done": "He actualizado el pedido {order}: {changes}. {difference}",
    "items.pending_approval": (
        "El cambio en el pedido {order} ({changes}) necesita una breve aprobación de nuestro equipo; "
        "se lo confirmaremos en cuanto esté hecho."
    ),
    "items.difference_charge": "La diferencia de precio de {amount} se cargará a {method}.",
    "items.difference_refund": "La diferencia de precio de {amount} se reembolsará a {method}.",
    "items.difference_none": "No hay diferencia de precio.",
    "items.not_changeable": (
        "El pedido {order} está {status}, así que no se pueden modificar sus artículos: "
        "los artículos pueden modificarse antes de que se procese el pedido, o cambiarse una vez entregado."
    ),
    "items.already_modified": (
        "Los artículos del pedido {order} ya se modificaron una vez, y los artículos de un pedido "
        "solo pueden modificarse una vez."
    ),
    "items.which_item": "¿Qué artículo del pedido {order} desea cambiar? Contiene {items}.",
    "items.which_version": "¿Qué versión de {product} desea? {choices}",
    "items.unavailable": "{product} con {wanted} no está disponible en este momento.",
    "items.no_such_version": "No tenemos {product} con {wanted}. Las opciones disponibles: {choices}.",
    # shipping address of an order, account address, payment of an order
    "address.done": "El pedido {order} se enviará ahora a {address}.",
    "address.missing": (
        "Para cambiar la dirección de envío del pedido {order}, envíenos la nueva dirección completa "
        "(calle, piso o apartamento si lo hay, ciudad, estado, código postal y país)."
    ),
    "address.not_pending": "El pedido {order} está {status}, por lo que ya no se puede cambiar su dirección de envío.",
    "user_address.done": "La dirección predeterminada de su cuenta es ahora {address}.",
    "user_address.missing": (
        "Envíenos la nueva dirección completa para su cuenta (calle, "
        "piso o apartamento si lo hay, ciudad, estado, código postal y país)."
    ),
    "payment.done": (
        "El pedido {order} se paga ahora con {method}; los {amount} pagados antes se devuelven a {old_method}."
    ),
    "payment.same": "El pedido {order} ya está pagado con {method}, así que no hay nada que cambiar.",
    "payment.not_pending": "El pedido {order} está {status}, por lo que ya no se puede cambiar su método de pago.",
    "payment.which": "¿Qué método de pago desea usar para el pedido {order}? En su cuenta: {methods}.",
    "payment.unknown": (
        "No he encontrado {described} entre los métodos de pago de su cuenta ({methods}). ¿Cuál desea usar?"
    ),
    "payment.insufficient": (
        "El saldo de la tarjeta regalo no cubre este cambio. "
        "¿Qué otro método de pago de su cuenta desea usar ({methods})?"
    ),
    # status, billing, products, troubleshooting
    "status.line": "El pedido {order} está {status}{status_note}.",
    "status.items": "Contiene {items}.",
    "status.tracking": "Número de seguimiento {tracking}{carrier}{latest}.",
    "status.refunds": "Reembolsos realizados en este pedido: {refunds}.",
    "billing.method": "El pedido {order} se pagó con {method}.",
    "billing.line": "Por el pedido {order} pagó {paid}{refunded}.",
    "billing.item": ("Pagó {price} por {item} (pedido {order}); es también lo que se le reembolsaría si lo devuelve."),
    "billing.items_total": "En total son {total}.",
    "product.variant": "{product} ({options}) cuesta {price} y está {availability}.",
    "team.answer": "{lines}.",
    "write.waiting": ("Todavía no he hecho este cambio: lo haré junto con el resto en cuanto responda a mi pregunta."),
    "write.unsure": (
        "Todavía no he modificado nada: parte de su solicitud puede entenderse de más de una manera. "
        "¿Podría confirmarnos exactamente qué artículos desea devolver o cambiar, y adónde debe ir el dinero?"
    ),
    "team.not_found": (
        "No he encontrado esa información en los datos de su cuenta a los que tengo acceso. "
        "¿Podría darnos un poco más de detalle sobre lo que desea saber?"
    ),
    "product.available": "disponible",
    "product.unavailable": "agotado por el momento",
    "product.many": (
        "{product} existe en {count} versiones que coinciden con su descripción ({in_stock} de ellas disponibles "
        "ahora mismo), desde {low} hasta {high}. "
        "Indíquenos las opciones que desea (por ejemplo {keys}) y le daremos el precio exacto."
    ),
    "product.unknown": (
        "No he encontrado {what} en nuestro catálogo. "
        "¿Podría indicarnos el nombre del producto tal como aparece en nuestra tienda?"
    ),
    "trouble.answer": "Nuestra guía «{title}» recomienda: {steps}",
    "trouble.source": "(Fuente: {document})",
    "trouble.none": (
        "No he encontrado una guía para este problema, así que lo he pasado a nuestro equipo técnico, "
        "que se pondrá en contacto con usted."
    ),
    "policy.answer": "Según la política de nuestra tienda «{title}»: {steps}",
    "policy.none": (
        "No he encontrado esto en las políticas de nuestra tienda, "
        "así que he pasado su pregunta a nuestro equipo, que le responderá."
    ),
    # questions back, refusals, escalation, failures
    "identity.needed": (
        "Para ayudarle, primero necesito confirmar su cuenta: "
        "responda con el correo electrónico de su cuenta, o con su nombre completo y código postal."
    ),
    "identity.not_found": (
        "No encontré ninguna cuenta con esos datos. "
        "Responda con el correo electrónico de su cuenta, o con su nombre completo y código postal."
    ),
    "order.not_found": "No he encontrado el pedido {order}. ¿Podría comprobar el número de pedido?",
    "order.missing": "¿A qué pedido se refiere? Por favor, envíenos el número de pedido (empieza por #W).",
    "order.which_of": "Varios de sus pedidos coinciden: {orders}. ¿A cuál se refiere?",
    "order.foreign": (
        "El pedido {order} no pertenece a su cuenta, así que no puedo dar información ni hacer cambios sobre él."
    ),
    "order.someone_elses": (
        "Solo puedo gestionar pedidos de la cuenta desde la que nos escribe, y ninguno de los suyos coincide. "
        "Para el pedido de otra persona, el titular de la cuenta debe contactarnos desde su propia cuenta."
    ),
    "refused.injection": "No puedo seguir instrucciones incluidas en un mensaje, así que no he hecho ningún cambio.",
    "not_understood": "Lo siento, no he entendido su mensaje. ¿Podría indicarnos en qué podemos ayudarle?",
    "escalated.human": "He pasado su solicitud a un miembro de nuestro equipo, que se pondrá en contacto con usted.",
    "escalated.safety": (
        "Por favor, deje de usar el producto y manténgalo desenchufado, lejos de cualquier cosa que pueda arder. "
        "He pasado su mensaje a nuestro equipo como urgente: "
        "un miembro del equipo se pondrá en contacto con usted en un día hábil."
    ),
    "escalated.abuse": (
        "He pasado su mensaje a un responsable de nuestro equipo, que lo revisará y se pondrá en contacto con usted."
    ),
    "escalated.legal": (
        "He remitido su mensaje al equipo responsable, que lo revisará y se pondrá en contacto con usted."
    ),
    "escalated.other": "He pasado su solicitud a un miembro de nuestro equipo, que se pondrá en contacto con usted.",
    "failed": (
        "No he podido completar esto por un problema técnico de nuestra parte; "
        "lo he pasado a nuestro equipo, que se encargará de darle seguimiento."
    ),
    "approval.note": (
        "Parte de esto necesita una breve aprobación de nuestro equipo; se lo confirmaremos en cuanto esté hecho."
    ),
    "items.other_product": (
        "Un cambio solo puede hacerse por otra versión del mismo producto, así que no puedo cambiar su "
        "{product} por {other}. Puede devolver su {product} (si está dentro del plazo de devolución) y "
        "pedir {other} por separado; no he hecho ningún cambio."
    ),
}
