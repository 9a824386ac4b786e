from .events import (
    DeliveryStatus,
    EventType,
    Notification,
    OutboxEvent,
    WebhookDelivery,
    WebhookSubscription,
)
from .orders import (
    Channel,
    Customer,
    IdempotencyKey,
    Order,
    OrderLine,
    Payment,
    PaymentOperation,
    ReviewRule,
    TimelineEntry,
    reservation_reference,
)
from .people import ApiScope, Profile, Role, TokenAccess

__all__ = [
    "ApiScope",
    "Channel",
    "Customer",
    "DeliveryStatus",
    "EventType",
    "IdempotencyKey",
    "Notification",
    "Order",
    "OrderLine",
    "OutboxEvent",
    "Payment",
    "PaymentOperation",
    "Profile",
    "ReviewRule",
    "Role",
    "TimelineEntry",
    "TokenAccess",
    "WebhookDelivery",
    "WebhookSubscription",
    "reservation_reference",
]
