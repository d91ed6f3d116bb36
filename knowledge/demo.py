"""Demo knowledge base: published articles requesters search for every day, plus two
internal ones for agents. Idempotent by title."""

from itsm.accounts.models import User
from itsm.cmdb.models import Service
from knowledge import services
from knowledge.models import Article, Category

# category path, title, summary, body (Markdown), services, audience, tags
DEMO_ARTICLES = [
    (
        "Network/VPN",
        "Connect to the VPN from home",
        "Install GlobalProtect and sign in with your company account to reach internal sites.",
        "You need the VPN to reach internal sites (intranet, ERP, file shares) from outside the office.\n\n"
        "1. Install **GlobalProtect** from the Software Center.\n"
        "2. Enter the portal address `vpn.example.com`.\n"
        "3. Sign in with your company email and approve the MFA prompt.\n\n"
        "The icon turns blue when you are connected.",
        ["VPN"],
        "public",
        ["vpn", "remote"],
    ),
    (
        "Network/VPN",
        "VPN keeps disconnecting",
        "Fix VPN drops caused by sleep mode, weak Wi-Fi or an outdated client.",
        "If the VPN connection drops every few minutes:\n\n"
        "* Turn off sleep mode for the network adapter.\n"
        "* Move closer to your router or use a cable.\n"
        "* Update GlobalProtect to the latest version.\n\n"
        "Still disconnecting? Report an incident and attach the client logs.",
        ["VPN"],
        "public",
        ["vpn"],
    ),
    (
        "Accounts",
        "Reset your password",
        "Use the self-service password reset page when you forgot your password or it expired.",
        "Go to `https://password.example.com`, enter your email and answer the MFA challenge. "
        "Choose a new password of at least 14 characters. The new password works everywhere "
        "(laptop, email, VPN) within five minutes.",
        [],
        "public",
        ["password", "account"],
    ),
    (
        "Accounts",
        "Unlock your account after too many sign-in attempts",
        "Accounts lock for 15 minutes after ten wrong passwords; here is how to unlock sooner.",
        "Wait 15 minutes and try again, or reset your password on the self-service page, which "
        "also unlocks the account. Phones with an old password keep locking you out: update "
        "the password in the mail app too.",
        [],
        "public",
        ["account", "locked"],
    ),
    (
        "Email",
        "Set up email on your phone",
        "Add your work mailbox to the Outlook app on iOS or Android.",
        "Install **Microsoft Outlook** from the app store, add your work email address and sign in. "
        "Your device must be enrolled in device management first.",
        ["Email"],
        "public",
        ["email", "mobile"],
    ),
    (
        "Email",
        "Mailbox is full",
        "Archive old mail and empty Deleted Items when Outlook says your mailbox is full.",
        "Mailboxes hold 50 GB. Turn on the online archive, empty *Deleted Items*, and delete "
        "large attachments (sort by size). Shared mailboxes count separately.",
        ["Email"],
        "public",
        ["email", "quota"],
    ),
    (
        "Email",
        "Share your calendar with a colleague",
        "Give a colleague permission to see or edit your Outlook calendar.",
        "In Outlook, right-click your calendar, choose *Sharing permissions*, add the colleague "
        "and pick *Can view* or *Can edit*.",
        ["Email"],
        "public",
        ["calendar", "email"],
    ),
    (
        "Workplace/Printing",
        "Add a network printer",
        "Install the follow-me printer queue so you can print on any office printer.",
        "Open **Settings → Printers**, choose *Add printer* and select `FollowMe-Print`. Badge "
        "at any printer to release your job.",
        [],
        "public",
        ["printer"],
    ),
    (
        "Workplace/Printing",
        "Printer says paper jam but there is no paper stuck",
        "Clear a false paper jam by opening every tray and restarting the printer.",
        "Open all trays and the rear door, check for small torn pieces, close everything and "
        "power-cycle the printer. If the error stays, call the service desk with the printer's "
        "asset tag.",
        [],
        "public",
        ["printer"],
    ),
    (
        "Network/Wi-Fi",
        "Connect to the office Wi-Fi",
        "Join the Corp network with your company account; guests use Corp-Guest.",
        "Select **Corp** in the list of wireless networks and sign in with your company email "
        "and password. Visitors use *Corp-Guest* with the daily code from reception.",
        ["Wi-Fi"],
        "public",
        ["wifi", "wireless"],
    ),
    (
        "Network/Wi-Fi",
        "Wi-Fi is slow in meeting rooms",
        "Reduce slowness in busy meeting rooms by switching to the 5 GHz network.",
        "Busy rooms overload the 2.4 GHz band. Choose *Corp-5G* and close video calls you are "
        "not using. Report rooms that stay slow so Network can add an access point.",
        ["Wi-Fi"],
        "public",
        ["wifi"],
    ),
    (
        "Workplace/Laptops",
        "Request a new laptop",
        "Order a replacement or new-starter laptop from the service catalog.",
        "Laptops are replaced every four years. Order from *Service catalog → Hardware → Laptop*; "
        "your manager approves, and delivery takes about five working days.",
        ["Laptop Provisioning"],
        "public",
        ["laptop", "hardware"],
    ),
    (
        "Workplace/Laptops",
        "Laptop battery drains quickly",
        "Check battery health and power settings when your laptop does not last a day.",
        "Run the battery report (`powercfg /batteryreport`), lower screen brightness and close "
        "browser tabs. Batteries under 60 % health are replaced free of charge.",
        ["Laptop Provisioning"],
        "public",
        ["laptop", "battery"],
    ),
    (
        "Applications",
        "Download your payslip from the HR portal",
        "Find monthly payslips and annual tax statements in the HR portal.",
        "Sign in to the **HR Portal**, open *Pay → Payslips*, and download the PDF. Payslips "
        "appear on the 25th of each month.",
        ["HR Portal", "Payroll"],
        "public",
        ["payslip", "hr"],
    ),
    (
        "Applications",
        "Request access to a shared drive",
        "Ask the folder owner for access to a department shared drive.",
        "Order *Access → Shared drive* in the service catalog and name the folder. The folder "
        "owner approves; access appears after you sign out and in again.",
        [],
        "public",
        ["access", "files"],
    ),
    (
        "Network/VPN",
        "VPN concentrator failover runbook",
        "Internal: how to fail over between vpn-concentrator-a and -b.",
        "Drain sessions on the active node, flip the VIP in the load balancer, and watch the "
        "tunnel count on the standby node. Page Network if tunnels do not come back in 5 minutes.",
        ["VPN"],
        "internal",
        ["vpn", "runbook"],
    ),
    (
        "Accounts",
        "Verify a caller's identity before a password reset",
        "Internal: the checks agents do before resetting a password by phone.",
        "Call back on the number in the HR record, ask for the employee number and manager's "
        "name. Never reset a password for a caller you could not verify.",
        [],
        "internal",
        ["password", "security"],
    ),
]


def _category(path: str) -> Category:
    parent = None
    for name in path.split("/"):
        parent, _ = Category.objects.get_or_create(name=name, parent=parent)
    return parent


def seed(stdout) -> None:
    writer = User.objects.filter(email="agent@example.com").first()
    reviewer = User.objects.filter(email="editor@example.com").first()
    if writer is None or reviewer is None:
        stdout.write("Demo knowledge: skipped (run the accounts demo first).")
        return
    created = 0
    for path, title, summary, body, service_names, audience, tags in DEMO_ARTICLES:
        if Article.objects.filter(title=title).exists():
            continue
        article = services.article_create(
            actor=writer,
            title=title,
            summary=summary,
            body=body,
            category=_category(path),
            audience=audience,
            tags=tags,
            owner=reviewer,
            services=Service.objects.filter(name__in=service_names),
        )
        article = services.article_transition(
            article=article, actor=writer, to_status="review", expected_version=article.version
        )
        services.article_transition(
            article=article, actor=reviewer, to_status="published", expected_version=article.version
        )
        created += 1
    stdout.write(f"Demo knowledge: {created} articles published ({len(DEMO_ARTICLES)} in total).")
