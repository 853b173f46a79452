# The web console's texts in English. Every message here exists in kk.ftl and ru.ftl too
# (a unit test compares the three). Numbers reach a message twice: $count selects the plural
# form, $shown is the same number formatted for the language.

app-name = Tanba
app-tagline = National marking of goods
skip-to-content = Skip to content
language-label = Language
signed-in-as = Signed in as { $name }
sign-out = Sign out
sign-out-everywhere = Sign out on every device

nav-home = Home
nav-inbox = Inbox
nav-orders = Code orders
nav-shipments = Shipments
nav-till = Till
nav-cases = Cases
nav-recalls = Recalls
nav-audit = Audit
nav-participants = Participants
nav-health = Server

role-producer = producer
role-importer = importer
role-wholesaler = wholesaler
role-retailer = shop
role-fiscal-data-operator = fiscal data operator
role-authority = authority
role-ministry = ministry
role-operator = operator

sign-in-title = Sign in
sign-in-lead = Choose your participant key file. It is read in this browser only: the secret key signs the server's challenge here and is never sent.
sign-in-key-file = Key file
sign-in-button = Sign in
sign-in-needs-script = Signing in needs JavaScript: the key signs the challenge in this browser, with WebCrypto.
sign-in-no-ed25519 = This browser cannot sign with Ed25519 keys. Use a current Chromium, Firefox or Safari.
sign-in-bad-file = This is not a Tanba key file.
sign-in-working = Signing in…
signed-out = You are signed out.
session-ended = Your session has ended. Sign in again.
participant-suspended = Your participation is suspended: you were signed out.

home-title = Home
home-roles = Your roles: { $roles }
home-unread = { $count ->
    [0] No unread notices
    [one] { $shown } unread notice
   *[other] { $shown } unread notices
}
home-what = What you can do here

inbox-title = Inbox
inbox-empty = No notices yet.
inbox-count = { $count ->
    [one] { $shown } notice
   *[other] { $shown } notices
}
notice-received = Received
notice-read = Read
notice-unread = Unread
notice-case = Case
notice-mark-read = Mark as read
notice-more = More notices

error-title = Something went wrong
error-back = Back to the home page

date-long = { $day } { $month } { $year }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

codes-count = { $count ->
    [one] { $shown } code
   *[other] { $shown } codes
}
days-count = { $count ->
    [one] { $shown } day
   *[other] { $shown } days
}
working-days-count = { $count ->
    [one] { $shown } working day
   *[other] { $shown } working days
}

list-more = More

orders-title = Code orders
orders-empty = No orders yet.
order-title = Order
order-product = Product
order-progress-title = Issued
order-progress = { $issued } of { $quantity }
order-placed = Placed
order-new = Order codes
order-gtin = Product's GTIN
order-quantity = How many codes
order-submit = Order
order-issuing = The codes are being issued; this page refreshes itself.
order-download = Download the codes (text)
labels-title = Labels
labels-layout = Label size
labels-from = From code number (counting from 0)
labels-count = How many labels
labels-pdf = Labels as PDF
labels-preview = The first label
layout-a4-70x37 = A4 sheet, 70 × 37 mm labels (24 a sheet)
layout-a4-52x30 = A4 sheet, 52.5 × 29.7 mm labels (40 a sheet)
layout-roll-58x40 = Thermal roll, 58 × 40 mm
layout-roll-43x25 = Thermal roll, 43 × 25 mm

shipments-title = Shipments
shipments-empty = No shipments yet.
shipment-new = New shipment
shipment-direction = From / to
shipment-from = From
shipment-to = To
shipment-items = Items
shipment-state = State
shipment-created = Sent
items-count = { $count ->
    [one] { $shown } item
   *[other] { $shown } items
}
document-pending = awaiting the buyer
document-accepted = accepted
document-rejected = rejected
document-cancelled = cancelled
shipment-title = Shipment
shipment-seller = Seller
shipment-buyer = Buyer
shipment-take = Take
shipment-code = Code or package
shipment-accept = Accept the items ticked
shipment-reject = Reject the whole shipment
shipment-accepted-items = Accepted
shipment-returned-items = Returned to the seller
shipment-cancel = Cancel the shipment
shipment-buyer-id = Buyer's IIN/BIN
shipment-codes = Codes and packages, one per line (scan them here)
shipment-codes-max = { $count ->
    [one] At most { $shown } code or package.
   *[other] At most { $shown } codes and packages.
}
shipment-send = Sign and send
sign-key-file = Your key file, to sign
sign-explained = The document is signed in this browser with your key; the key is not sent.
sign-needs-script = Signing needs JavaScript: the key signs the document in this browser, with WebCrypto.
sign-bad-key = This is not the key file of the participant signed in.
sign-working = Signing…

till-title = Till
till-scan = Scan the codes here, one per line
till-check = Check
till-verdict = Can it be sold?
till-sellable = Yes
till-not-sellable = No
till-price = Price, tenge
till-sell = Sell on one receipt
till-recorded = Recorded (log entry { $sequence }).
till-duplicate = This receipt was recorded before (log entry { $sequence }): nothing changed.
till-receipt-id = Receipt
till-refused-lines = Lines not sold
till-return-title = Return
till-sale-receipt = The sale's receipt
till-return-codes = Codes returned, one per line
till-return = Take back

codes-title = Codes
codes-which = A code or package, any form (scan it here)
codes-show = Show its card
card-status = Status
card-owner = Held by
card-produced = Produced
card-expires = Expires
card-batch = Batch
card-inside = Inside
card-contents = { $units } units, { $groups } group packages, { $pallets } transport packages
card-in-package = In package
card-blocked = Blocked
status-emitted = issued, not yet on goods
status-applied = on goods, not yet in circulation
status-introduced = in circulation
status-withdrawn = out of circulation: { $reason }
withdrawal-retail-sale = sold to a consumer
withdrawal-export-to-eaeu = sold to an EAEU state
withdrawal-export-outside-eaeu = exported outside the EAEU
withdrawal-write-off = written off
withdrawal-destruction = destroyed
withdrawal-recall-disposal = disposed of under a recall
withdrawal-confiscation = confiscated
block-title = Block or lift a block
block-codes = Codes and packages, one per line
block-reason = Why (shown at tills and to the public)
block-button = Block
unblock-button = Lift my block
block-done = Blocked (log entry { $sequence }): every till refuses these codes now.
block-lifted = Your block is lifted (log entry { $sequence }).

nav-codes = Codes
nav-reports = Reports
audit-title = Audit trail
audit-participant = Participant (IIN/BIN)
audit-code = Code
audit-from = From
audit-until = Until
audit-search = Search
audit-none = No records.
audit-time = Time
audit-method = Call
audit-arguments = Named
audit-outcome = Outcome
reports-title = Violation reports from the public
reports-map = Where they were reported
reports-none = No reports.
reports-kind = Kind
reports-comment = Comment
reports-place = Place
reports-flagged = the code is flagged as a likely copy
violation-counterfeit = counterfeit
violation-sold-after-expiry = sold after expiry
violation-no-code = no code
violation-price = price
violation-other = other
city-astana = Astana
city-almaty = Almaty
city-shymkent = Shymkent
city-aktobe = Aktobe
city-atyrau = Atyrau
city-aktau = Aktau
city-oskemen = Oskemen
city-pavlodar = Pavlodar
city-karaganda = Karaganda
city-kostanay = Kostanay
