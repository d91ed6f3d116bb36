"""About fifty realistic articles (the demo set plus more) and queries with the article a
requester expects near the top. Used by test_search.py."""

from knowledge.demo import DEMO_ARTICLES

# title, summary, body
MORE_ARTICLES = [
    (
        "Set an out of office reply",
        "Turn on automatic replies in Outlook while you are away.",
        "In Outlook choose File → Automatic Replies, write a message for people inside and outside the company and set the dates.",
    ),
    (
        "Join a Teams meeting from a browser",
        "Join without the desktop app using Edge or Chrome.",
        "Open the meeting link, choose Continue on this browser and allow camera and microphone.",
    ),
    (
        "Set up multi-factor authentication on a new phone",
        "Move the Authenticator app to a new phone before you wipe the old one.",
        "Open the security info page, add the new phone as a sign-in method, approve a test notification, then remove the old phone.",
    ),
    (
        "Install software from the Software Center",
        "Install approved applications yourself without an administrator.",
        "Open Software Center, search for the application and click Install. Unlisted software needs a catalog request.",
    ),
    (
        "Excel crashes when opening a large workbook",
        "Disable add-ins and open in safe mode when Excel stops responding.",
        "Start Excel with excel /safe, disable COM add-ins, and repair Office from Apps & features.",
    ),
    (
        "OneDrive is not syncing",
        "Fix the red cross on the OneDrive icon and files stuck on pending.",
        "Pause and resume sync, check free disk space, and sign out and back in to OneDrive. Rename files with invalid characters.",
    ),
    (
        "Second monitor not detected on the docking station",
        "Get external displays working on the USB-C dock.",
        "Unplug the dock for ten seconds, update the dock firmware and press Windows+P to choose Extend.",
    ),
    (
        "Bluetooth keyboard or mouse not working",
        "Pair wireless keyboards and mice again after a battery change.",
        "Remove the device in Bluetooth settings, replace the batteries and pair it again.",
    ),
    (
        "Browser shows a certificate error on an internal site",
        "Why internal sites warn about certificates and when to call the desk.",
        "Check the date and time of your laptop. If the warning stays on an internal site, report it; never click through on external sites.",
    ),
    (
        "Report a phishing email",
        "Use the Report button in Outlook for suspicious mail.",
        "Select the message and click Report → Phishing. Do not open attachments or click links. Security reviews every report.",
    ),
    (
        "Create a purchase order in the ERP",
        "Raise a purchase order for goods or services from a supplier.",
        "In the ERP open Purchasing → New order, choose the supplier, add lines and submit for approval by your budget holder.",
    ),
    (
        "Submit an expense claim",
        "Claim travel and other expenses with receipts.",
        "Open the expenses app, photograph your receipts, choose the cost centre and submit. Claims are paid with the next salary.",
    ),
    (
        "Onboarding checklist for a new starter",
        "What managers order before a new employee's first day.",
        "Order the laptop, accounts and building badge two weeks before the start date using the New starter catalog item.",
    ),
    (
        "Offboarding a leaver",
        "Return equipment and close accounts when an employee leaves.",
        "Managers submit the Leaver request; accounts are disabled on the last day and the laptop is collected.",
    ),
    (
        "Order a company mobile phone",
        "Request a smartphone and SIM card for business use.",
        "Order Mobile phone in the catalog; your manager approves and the phone arrives enrolled in device management.",
    ),
    (
        "Order a headset for calls",
        "Get a certified headset for Teams and phone calls.",
        "Order Peripherals → Headset in the service catalog. Wireless and wired models are available.",
    ),
    (
        "Lock your screen when you leave your desk",
        "Press Windows+L; screens lock automatically after five minutes.",
        "Locking protects your data. The automatic lock is set by policy and cannot be turned off.",
    ),
    (
        "Find your BitLocker recovery key",
        "Unlock a laptop that asks for a recovery key after a BIOS update.",
        "Sign in to the self-service device page and open your laptop to show the recovery key, or call the desk to read it out.",
    ),
    (
        "Windows updates are stuck",
        "Finish pending Windows updates that keep restarting.",
        "Leave the laptop plugged in and connected overnight, run the update troubleshooter and restart twice.",
    ),
    (
        "Get started with your Mac",
        "First steps for Mac users: enrolment, software and printing.",
        "Complete enrolment in Self Service, install apps from Self Service and add the follow-me printer queue.",
    ),
    (
        "Request a Linux development virtual machine",
        "Order a VM for development and testing.",
        "Order Compute → Development VM with the size and operating system; it is ready within one working day.",
    ),
    (
        "Request access to a Git repository",
        "Get read or write access to source code repositories.",
        "Ask the repository owner through the Access → Git repository catalog item and add your SSH key to your profile.",
    ),
    (
        "Request a Jira project",
        "Create a new project in Jira for your team.",
        "Order Collaboration → Jira project and name the project lead and the workflow you need.",
    ),
    (
        "Cannot sign in to the CRM",
        "Fix CRM sign-in errors after a password change.",
        "Clear browser cookies for the CRM and sign in again through single sign-on.",
    ),
    (
        "Request read access to a production database",
        "How analysts get read-only database accounts.",
        "Order Access → Database read access, name the database and the business reason. The data owner approves.",
    ),
    (
        "Restore a deleted file from backup",
        "Recover files deleted from a shared drive or OneDrive.",
        "Check the recycle bin first. Files deleted more than 93 days ago can be restored from backup through a catalog request.",
    ),
    (
        "Record your timesheet",
        "Enter hours worked per project every Friday.",
        "Open the timesheet app, choose the week and add hours per project code, then submit to your manager.",
    ),
    (
        "Book a meeting room",
        "Reserve meeting rooms and equipment in Outlook.",
        "Create a meeting, open Room Finder, choose the building and a free room; the room accepts automatically.",
    ),
    (
        "Register your car for the office car park",
        "Get a parking permit for the office garage.",
        "Submit Facilities → Parking permit with your number plate; permits are emailed within two days.",
    ),
    (
        "Change your display language",
        "Switch Windows and Office to another language.",
        "Open Settings → Time & language, add the language and set it as display language, then sign out.",
    ),
    (
        "Scan a document to email",
        "Scan on the office multifunction printers and send to yourself.",
        "Badge at the printer, choose Scan to me, place the document and press Start. The PDF arrives in your inbox.",
    ),
    (
        "Video is choppy in video calls",
        "Improve call quality on slow home internet.",
        "Turn off incoming video, close downloads and sit near your router. Use a cable for important calls.",
    ),
    (
        "Recover a deleted email",
        "Get back mail you deleted by mistake.",
        "Open Deleted Items, or use Recover items deleted from this folder for mail deleted in the last 30 days.",
    ),
]

# query, expected title among the top 3 (for a requester)
QUERIES = [
    ("vpn from home", "Connect to the VPN from home"),
    ("vpn disconnects", "VPN keeps disconnecting"),
    ("forgot password", "Reset your password"),
    ("password expired", "Reset your password"),
    ("account locked", "Unlock your account after too many sign-in attempts"),
    ("outlook on my phone", "Set up email on your phone"),
    ("mailbox full", "Mailbox is full"),
    ("share calendar", "Share your calendar with a colleague"),
    ("install printer", "Add a network printer"),
    ("paper jam", "Printer says paper jam but there is no paper stuck"),
    ("guest wireless", "Connect to the office Wi-Fi"),
    ("slow wifi in meeting room", "Wi-Fi is slow in meeting rooms"),
    ("new laptop", "Request a new laptop"),
    ("battery", "Laptop battery drains quickly"),
    ("payslip", "Download your payslip from the HR portal"),
    ("shared drive access", "Request access to a shared drive"),
    ("bitlocker recovery key", "Find your BitLocker recovery key"),
    ("report phishing", "Report a phishing email"),
    ("onedrive not syncing", "OneDrive is not syncing"),
    ("out of office", "Set an out of office reply"),
    ("restore deleted file", "Restore a deleted file from backup"),
    ('"purchase order"', "Create a purchase order in the ERP"),
    # typos: nothing matches in full text, the trigram fallback on titles finds them
    ("pasword reset", "Reset your password"),
    ("printr", "Add a network printer"),
    ("bitloker", "Find your BitLocker recovery key"),
]

NO_MATCH_QUERIES = ["xylophone", "quantum entanglement spreadsheet"]


def all_articles() -> list[tuple[str, str, str, str]]:
    """(title, summary, body, audience) of the whole corpus."""
    demo = [(t, s, b, audience) for _path, t, s, b, _svc, audience, _tags in DEMO_ARTICLES]
    return demo + [(t, s, b, "public") for t, s, b in MORE_ARTICLES]
