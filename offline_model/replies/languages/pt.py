"""Portuguese reply sentences (formal, 'o seu' / 'consigo')."""

from __future__ import annotations

PT = {
    "greeting": "Olá {name},",
    "greeting_anonymous": "Olá,",
    "closing": "Atenciosamente,\nAtendimento ao cliente",
    "thanks": "Obrigado por nos ter contactado.",
    # cancellations
    "cancel.done": "O seu pedido {order} foi cancelado (motivo: {reason_local}).",
    "cancel.refund": "Um reembolso de {amount} será feito para {method}.",
    "cancel.refund_gift_card": "Um reembolso de {amount} foi creditado em {method} imediatamente.",
    "cancel.pending_approval": (
        "O cancelamento do pedido {order} precisa de uma breve aprovação da nossa equipa; "
        "confirmaremos assim que estiver concluído."
    ),
    "cancel.need_reason": (
        "Posso cancelar o pedido {order}. Antes, pode indicar o motivo: "
        "já não precisa dele, ou foi encomendado por engano?"
    ),
    "cancel.not_pending": "O pedido {order} está {status}, por isso já não pode ser cancelado.",
    "condition.status_kept": (
        "O pedido {order} está {status}, por isso já não está pendente: como pediu, deixei-o como está."
    ),
    "condition.no_tracking": (
        "Ainda não tem número de seguimento; receberá um assim que a encomenda for entregue à transportadora."
    ),
    "condition.returned_instead": "Não alterei {item}: {why}, por isso, como pediu, será devolvido em vez disso.",
    "condition.not_met": "Não alterei {item}: {why}, por isso, como pediu, deixei-o como está.",
    "condition.price": "a nova versão custa {new} e pagou {old} (uma diferença de {diff})",
    "condition.unavailable": "a versão que pediu ({wanted}) não está disponível",
    "condition.instead": (
        "A versão que pediu em primeiro lugar ({wanted}) não está disponível, por isso, como indicou, "
        "escolhi a versão com {other}."
    ),
    "condition.balance_other": (
        "O saldo do seu cartão-presente ({balance}) não cobre os {amount}, por isso, como pediu, "
        "o valor foi cobrado em {method}."
    ),
    "condition.balance_short": (
        "O saldo do seu cartão-presente é de {balance}, o que não cobre os {total} do pedido {order}, "
        "por isso, como pediu, o pagamento mantém-se em {method}."
    ),
    "items.which_item_condition": (
        "Não consegui perceber a que alterações se referem as suas condições, por isso ainda não alterei nada. "
        "Pode indicar-nos a que artigo corresponde cada condição?"
    ),
    "condition.fallback": "Não foi possível usar {first}, por isso, como sugeriu, usei {method} em alternativa.",
    "exception.kept_orders": "Como pediu, não fiz nenhuma alteração a {orders}.",
    "exception.which_kept": (
        "Ainda não alterei nada: a que pedido se refere com \u201c{phrase}\u201d? Envie-nos o número do pedido "
        "(começa por #W)."
    ),
    "cancel.not_pending_delivered": " Se não quiser ficar com os artigos, pode pedir-nos a sua devolução.",
    # returns
    "return.done": (
        "Registei a devolução de {items} do pedido {order}. Assim que recebermos os artigos, "
        "o reembolso de {amount} será feito para {method}. Pode pedir-nos a etiqueta de devolução a qualquer momento."
    ),
    "return.pending_approval": (
        "A devolução de {items} do pedido {order} (um reembolso de {amount} para {method}) precisa de uma breve "
        "aprovação da nossa equipa; confirmaremos assim que estiver concluída."
    ),
    "return.not_delivered": "O pedido {order} está {status} e ainda não foi entregue, por isso não pode ser devolvido.",
    "return.not_delivered_pending": (
        " Como ainda não foi processado, pode cancelá-lo, se preferir: "
        "basta indicar-nos o motivo (já não precisa dele, ou foi encomendado por engano)."
    ),
    "return.bad_method": (
        "O reembolso de uma devolução só pode ser feito para o método de pagamento original "
        "({original}) ou para um cartão-presente. Qual destas opções prefere?"
    ),
    # item changes
    "exchange.done": (
        "Registei a troca no pedido {order}: {changes}. "
        "{difference} Assim que recebermos os artigos originais, os novos seguirão para si."
    ),
    "modify.done": "Atualizei o pedido {order}: {changes}. {difference}",
    "items.pending_approval": (
        "A alteração do pedido {order} ({changes}) precisa de uma breve aprovação da nossa equipa; "
        "confirmaremos assim que estiver concluída."
    ),
    "items.difference_charge": "A diferença de preço de {amount} será cobrada em {method}.",
    "items.difference_refund": "A diferença de preço de {amount} será reembolsada para {method}.",
    "items.difference_none": "Não há diferença de preço.",
    "items.not_changeable": (
        "O pedido {order} está {status}, por isso os seus artigos não podem ser alterados: "
        "os artigos podem ser alterados antes de o pedido ser processado, ou trocados depois de entregue."
    ),
    "items.already_modified": (
        "Os artigos do pedido {order} já foram alterados uma vez, "
        "e os artigos de um pedido só podem ser alterados uma única vez."
    ),
    "items.which_item": "Que artigo do pedido {order} pretende alterar? O pedido contém {items}.",
    "items.which_version": "Que versão de {product} pretende? {choices}",
    "items.unavailable": "{product} com {wanted} não está disponível de momento.",
    "items.no_such_version": "Não temos {product} com {wanted}. As opções disponíveis: {choices}.",
    # shipping address of an order, account address, payment of an order
    "address.done": "O pedido {order} será agora enviado para {address}.",
    "address.missing": (
        "Para alterar o endereço de envio do pedido {order}, envie-nos o novo endereço completo "
        "(rua, apartamento ou fração, se houver, cidade, estado, código postal e país)."
    ),
    "address.not_pending": "O pedido {order} está {status}, por isso o endereço de envio já não pode ser alterado.",
    "user_address.done": "O endereço predefinido da sua conta é agora {address}.",
    "user_address.missing": (
        "Envie-nos o novo endereço completo para a sua conta (rua, "
        "apartamento ou fração, se houver, cidade, estado, código postal e país)."
    ),
    "payment.done": (
        "O pedido {order} passa a ser pago com {method}; os {amount} pagos anteriormente serão devolvidos "
        "para {old_method}."
    ),
    "payment.same": "O pedido {order} já está pago com {method}, por isso não há nada a alterar.",
    "payment.not_pending": "O pedido {order} está {status}, por isso o método de pagamento já não pode ser alterado.",
    "payment.which": "Que método de pagamento pretende usar no pedido {order}? Na sua conta: {methods}.",
    "payment.unknown": (
        "Não encontrei {described} entre os métodos de pagamento da sua conta ({methods}). Qual pretende usar?"
    ),
    "payment.insufficient": (
        "O saldo do cartão-presente não cobre esta alteração. "
        "Que outro método de pagamento da sua conta pretende usar ({methods})?"
    ),
    # status, billing, products, troubleshooting
    "status.line": "O pedido {order} está {status}{status_note}.",
    "status.items": "Contém {items}.",
    "status.tracking": "Número de seguimento {tracking}{carrier}{latest}.",
    "status.refunds": "Reembolsos efetuados neste pedido: {refunds}.",
    "billing.method": "A encomenda {order} foi paga com {method}.",
    "billing.line": "No pedido {order} pagou {paid}{refunded}.",
    "billing.item": ("Pagou {price} por {item} (pedido {order}); é também esse o valor reembolsado numa devolução."),
    "billing.items_total": "No total, são {total}.",
    "product.variant": "{product} ({options}) custa {price} e está {availability}.",
    "team.answer": "{lines}.",
    "write.waiting": (
        "Ainda não fiz esta alteração: vou fazê-la juntamente com o resto assim que responder à minha pergunta."
    ),
    "write.unsure": (
        "Ainda não alterei nada: parte do seu pedido pode ser entendida de mais de uma forma. "
        "Pode confirmar exatamente que artigos pretende devolver ou alterar, e para onde deve ir o dinheiro?"
    ),
    "team.not_found": (
        "Não encontrei essa informação no que consigo ver da sua conta. "
        "Pode dizer-nos um pouco mais sobre o que pretende saber?"
    ),
    "product.available": "disponível",
    "product.unavailable": "esgotado de momento",
    "product.many": (
        "{product} existe em {count} versões que correspondem à sua descrição ({in_stock} delas disponíveis "
        "neste momento), de {low} a {high}. "
        "Indique-nos as opções que pretende (por exemplo {keys}) e dir-lhe-emos o preço exato."
    ),
    "product.unknown": (
        "Não encontrei {what} no nosso catálogo. Pode indicar-nos o nome do produto tal como aparece na nossa loja?"
    ),
    "trouble.answer": "O nosso guia \u201c{title}\u201d sugere: {steps}",
    "trouble.source": "(Fonte: {document})",
    "trouble.none": (
        "Não encontrei um guia para este problema, por isso passei-o à nossa equipa técnica, "
        "que entrará em contacto consigo."
    ),
    "policy.answer": "Da política da nossa loja \u201c{title}\u201d: {steps}",
    "policy.none": (
        "Não encontrei esta informação nas políticas da nossa loja, "
        "por isso passei a sua pergunta à nossa equipa, que lhe dará resposta."
    ),
    # questions back, refusals, escalation, failures
    "identity.needed": (
        "Para ajudar, preciso primeiro de confirmar a sua conta: "
        "responda com o e-mail da sua conta, ou com o seu nome completo e código postal."
    ),
    "identity.not_found": (
        "Não encontrei nenhuma conta com os dados indicados. "
        "Responda com o e-mail da sua conta, ou com o seu nome completo e código postal tal como constam na conta."
    ),
    "order.not_found": "Não encontrei o pedido {order}. Pode verificar o número do pedido?",
    "order.missing": "A que pedido se refere? Envie-nos o número do pedido (começa por #W).",
    "order.which_of": "Há mais do que um pedido seu que corresponde: {orders}. A qual se refere?",
    "order.foreign": (
        "O pedido {order} não pertence à sua conta, por isso não posso dar informações nem fazer alterações."
    ),
    "order.someone_elses": (
        "Só posso tratar de pedidos da conta a partir da qual nos escreve, e nenhum dos seus corresponde. "
        "Para o pedido de outra pessoa, o titular da conta deve contactar-nos a partir da sua própria conta."
    ),
    "refused.injection": (
        "Não posso seguir instruções escritas numa mensagem, por isso não fiz nenhuma alteração. "
        "Se precisar de algo para a sua própria conta, diga-nos por palavras suas."
    ),
    "not_understood": "Desculpe, não entendi a sua mensagem. Pode dizer-nos como podemos ajudar?",
    "escalated.human": "Passei o seu pedido a um membro da nossa equipa, que entrará em contacto consigo.",
    "escalated.safety": (
        "Por favor, deixe de usar o produto e mantenha-o desligado da corrente, longe de tudo o que possa arder. "
        "Passei a sua mensagem à nossa equipa como urgente: "
        "um membro da equipa entrará em contacto consigo dentro de um dia útil."
    ),
    "escalated.abuse": (
        "Passei a sua mensagem a um responsável da nossa equipa, que a analisará e entrará em contacto consigo."
    ),
    "escalated.legal": (
        "Encaminhei a sua mensagem para a equipa responsável, que a analisará e entrará em contacto consigo."
    ),
    "escalated.other": "Passei o seu pedido a um membro da nossa equipa, que entrará em contacto consigo.",
    "failed": (
        "Não consegui concluir isto devido a um problema técnico do nosso lado; "
        "passei-o à nossa equipa, que dará seguimento."
    ),
    "approval.note": (
        "Parte disto precisa de uma breve aprovação da nossa equipa; confirmaremos assim que estiver concluído."
    ),
    "items.other_product": (
        "Uma troca só pode ser feita por outra versão do mesmo produto, por isso não posso trocar o seu "
        "{product} por {other}. Pode devolver o {product} (dentro do prazo de devolução) e encomendar "
        "{other} à parte; não alterei nada."
    ),
}
