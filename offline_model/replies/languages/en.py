"""English reply sentences: the complete set. Every other language has exactly these keys, with the
same placeholders (tests/offline/test_templates.py checks it)."""

from __future__ import annotations

EN = {
    "greeting": "Hello {name},",
    "greeting_anonymous": "Hello,",
    "closing": "Best regards,\nCustomer Support",
    "thanks": "Thank you for contacting us.",
    # cancellations
    "cancel.done": "Your order {order} has been cancelled (reason: {reason_local}).",
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
    "condition.returned_instead": "I have not changed {item}: {why}, so as you asked it goes back instead.",
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
    "billing.method": "Order {order} was paid with {method}.",
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
    "items.other_product": (
        "An exchange or change can only be for another version of the same product, so I can't swap your "
        "{product} for the {other}. You can return the {product} (if it's within the return window) and "
        "order the {other} separately; I haven't changed anything."
    ),
}
