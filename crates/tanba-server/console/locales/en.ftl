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
nav-registers = Registers
nav-certificates = Certificates
nav-feeds = Feeds
nav-statistics = Statistics

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
audit-node = Node (empty: this one)
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

## Cases
cases-title = Cases
cases-as-party = My applications and cases
cases-as-authority = Cases of my authority
cases-empty = No cases yet.
cases-open = Start a procedure
case-kind = Procedure
case-state = State
case-party = Applicant or obliged party
case-authority = Authority
case-parent = Belongs to case
case-named = Named party
case-opened = Opened
case-updated = Last change
case-number = Document number
case-closed = closed
case-clocks = Terms
case-steps = What you can do now
clause-abbreviation = cl.
case-step-clause = Legal basis
case-data = Data of the case
case-files = Files
case-history = History
case-history-step = { $step } — { $by }
case-history-more = { $count ->
    [one] and { $shown } more step
   *[other] and { $shown } more steps
}
case-more-rows = More rows
clock-name = Term
clock-term = Length
clock-status = Where it stands
clock-due = due { $day }
clock-due-today = due today
clock-overdue = overdue since { $day }
clock-paused = paused since { $day }
clock-stopped = ended { $day }
clock-term-working = { $count ->
    [one] { $shown } working day
   *[other] { $shown } working days
}
clock-term-calendar = { $count ->
    [one] { $shown } calendar day
   *[other] { $shown } calendar days
}
clock-extended = { $count ->
    [one] extended by { $shown } day
   *[other] extended by { $shown } days
}
file-bytes = { $count ->
    [one] { $shown } byte
   *[other] { $shown } bytes
}
field-hint-taxpayer = IIN or BIN: 12 digits.
field-hint-taxpayers = One IIN or BIN per line.
field-hint-list = One value per line.
field-hint-decimal = A number above zero; a comma or a point before the fraction.
field-hint-code = The code as scanned or printed.
field-hint-gtin = GTIN: 8, 12, 13 or 14 digits.
field-hint-hs-code = EAEU HS (TN VED) code: 10 digits.
field-hint-currency = Currency: three capital letters (KZT).
field-hint-country = Country: two capital letters (KZ).
field-hint-control-code = Control-list code (ML1, 1C350.a).
field-hint-unit = EAEU unit of measure: 3 digits (796).
answer-yes = yes
answer-no = no
holders-title = Holders of the goods and what became of them
holders-holder = Holder
holders-recalled = Held at the recall
holders-returned = Returned
holders-disposed = Disposed of
holders-still-held = Still held
holders-elsewhere = Passed on
holders-sold-before = Sold before the recall
holders-effective = Effectiveness
holders-total = All holders on this page
holders-census-complete = Every holder has been counted.
holders-census-running = Holders are still being counted; the figures grow until the count ends.
holders-explained = Effectiveness is the share of the units held at the recall that have been returned or disposed of. Counted unit by unit from the register now.

## Goods
nav-goods = Goods
goods-title = Work on goods
goods-explained = Codes go one per line, as scanned or printed. Every operation is checked and recorded like one made through the API.
goods-codes = Codes, one per line
goods-applied-title = Codes applied to goods
goods-production-date = Production date
goods-expiry-date = Expiry date (if the goods expire)
goods-batch = Batch
goods-applied-button = Report applied
goods-applied-done = The codes are recorded as applied.
goods-introduce-title = Introduction into circulation
goods-introduce-how = How the goods came
goods-introduce-own = Made in Kazakhstan
goods-introduce-import = Imported from outside the EAEU
goods-introduce-eaeu = Received from another EAEU state
goods-customs-declaration = Customs declaration number (for imports)
goods-from-country = Sending state, two letters (for the EAEU)
goods-document-number = Sender's document number (for the EAEU)
goods-seller-taxpayer = Seller's taxpayer number in its state (for the EAEU)
goods-document-date = Date of the sender's document (for the EAEU)
goods-introduce-button = Introduce
goods-introduced-done = The goods are in circulation.
goods-aggregate-title = Packing
goods-parent = Package code
goods-children = Codes packed into it, one per line
goods-aggregate-button = Pack
goods-disaggregate-button = Unpack these codes
goods-aggregated-done = The package is made.
goods-disaggregated-done = The codes are taken out of their packages.
goods-file-title = Packing from a file
goods-file = File of packages
goods-file-explained = Each line: the package's code and one code packed into it, split by a comma, a semicolon or a tab. Lines starting with # are skipped.
goods-file-max = { $count ->
    [one] At most { $shown } package per file.
   *[other] At most { $shown } packages per file.
}
goods-file-button = Upload and pack
job-title = Packing job
job-progress = { $done } of { $total } packages done, { $refused } refused
job-running = Working; this page updates itself.
job-finished = Finished.
job-refusal = Why it was refused

## Operator
nav-reference = Reference data
participants-title = Register of participants
participants-from = Show from IIN/BIN
participants-show = Show
participant-id = IIN/BIN
participant-name = Name
participant-roles = Roles
participant-status = Status
participant-status-active = active
participant-status-suspended = suspended
participant-key = Key
participant-register = Register a participant
participant-public-key = Public key (Ed25519, 64 hex digits)
participant-public-key-explained = The participant makes its key pair itself (tanba keygen) and hands over only the public key; its secret never reaches the operator.
participant-register-button = Register
participant-change = Change the participant
participant-add-key = Add a key (64 hex digits)
participant-change-button = Save
participant-suspend = Suspend
participant-suspend-explained = A suspended participant can do nothing; its sessions end at its next request.
participant-lift = Lift the suspension
reference-title = Reference data
reference-none = none published
reference-calendar = Working-day calendar in force
reference-category-title = Product category
reference-category-code = Code (latin letters, digits, _)
reference-name-kk = Name in Kazakh
reference-name-ru = Name in Russian
reference-name-en = Name in English
reference-tail = Tail of the codes
reference-tail-full = signature (AI 91 and 92, checked offline)
reference-tail-short = { $count ->
    [one] short tag of { $shown } character (AI 93)
   *[other] short tag of { $shown } characters (AI 93)
}
reference-return-days = Days a consumer may return goods (0: no returns)
reference-control-code = Control-list code, for goods under export control
reference-category-button = Define the category
reference-category-done = The category is defined.
reference-calendar-title = Publish a calendar version
reference-set-title = Publish a reference set version
reference-toml = The document (TOML)
reference-publish = Publish
reference-calendar-done = The calendar version is published.
reference-set-done = The reference set version is published.
reference-explained = A version must be one more than the version in force. Cases opened earlier keep the versions they were opened under; their terms are recomputed forward only.
health-title = Server
health-serving = Serving
health-serving-yes = yes
health-serving-no = no: the store refuses writes
health-head = Log position
health-head-hash = Chain hash at that position
health-sessions = Console sessions
health-procedures = Procedures
health-version = Version
health-explained = Metrics for monitoring are at /metrics; /healthz answers load balancers.

## Products
nav-products = Products
products-title = My product cards
products-empty = No product cards yet.
product-name = Name
product-category = Category
product-country = Country of origin (two letters)
product-hs-code = EAEU HS code (10 digits)
product-producer-name = Maker, as printed on the pack
product-level = What a code marks
product-level-unit = a consumer unit
product-level-group = a group package
product-shelf-life = Shelf life, days (if the goods expire)
product-register = Register a product card
product-register-button = Register
product-change = Change the card
product-change-button = Save
product-new = New card

## Receipts
nav-receipts = Receipts
receipts-title = Receipts
receipts-empty = No receipts yet.
receipt-id = Receipt
receipt-kind = Kind
receipt-sale = sale
receipt-return = return of receipt { $sale }
receipt-recorded = Recorded
receipt-codes = Codes
receipt-total = Sum, tenge
receipt-refused = Lines refused
reports-photo = Photo
reports-photo-open = open
case-files-attach = Files to attach
case-files-attach-explained = The files are sent to the server first; the signature covers their hashes.
case-files-uploading = Sending the files…

registers-title = State registers
registers-gateway = E-government gateway
registers-gateway-none = not configured: no adapter runs, the log keeps what it knows
registers-roots = Trusted root certificates
registers-adapters = Adapters
registers-adapters-none = No adapter has run yet.
registers-register = Register
registers-entrepreneurs = Individual entrepreneurs
registers-revocations = Certification centre: revocation lists
registers-last-attempt = Last attempt
registers-last-success = Last success
registers-failures = Failures in a row
registers-changes = Changed
registers-rejected = Entries left out
registers-error = Last error
registers-known = What the log knows
registers-entrepreneurs-refreshed = Register of entrepreneurs refreshed
registers-entrepreneurs-total = Entries in the register
registers-issuer = Certification centre
registers-this-update = List issued
registers-next-update = Next list due
registers-revoked = Revoked certificates
registers-current = Current
registers-current-yes = yes
registers-current-no = no: its certificates are refused
registers-explained = Each refresh is an event in the log, so every node knows the same. A failed refresh changes nothing and is retried with backoff; an older list than the one known is refused.
certificates-title = Certificates
certificates-session = Your session
certificates-session-key = You signed in with a registered key, not a certificate.
certificates-issuer = Issued by
certificates-serial = Serial number
certificates-standing = Standing now
certificates-stands = stands: chains to a trusted root, not revoked, the centre's list is current
certificates-roots = Trusted root certificates
certificates-roots-none = No root is configured: no certificate is accepted.
certificates-subject = Subject
certificates-valid-until = Valid until
certificates-check = Check a certificate
certificates-chain = Certificate chain (PEM, the holder's certificate first, then its issuers)
certificates-check-button = Check
certificates-holder = IIN / BIN it names
certificates-explained = A certificate signs in and signs documents and decisions while it chains to a trusted root, is within its dates, may sign, and its centre's latest revocation list in the log is current and does not name it. Once a refresh revokes it, its sessions end and documents signed with it are refused.

feeds-title = State feeds
feeds-head = Log position
feeds-checkpoint = Last signed checkpoint
feeds-checkpoint-verified = signature and chain verified
feeds-checkpoint-broken = does not verify
feeds-yours = Feeds you may follow
feeds-feed = Feed
feeds-address = Address
feeds-kind-tax = Tax: transfers, sales, returns, write-offs
feeds-kind-customs = Customs: imports, exports, controlled goods
feeds-kind-eaeu = EAEU cross-border trade
feeds-kind-stages = State services: stages
feeds-kind-goods = Own goods
feeds-kind-registry = Registry and registers
feeds-kind-cases = Cases
feeds-kind-all = The whole log
feeds-followed = Followed now on this node
feeds-followed-none = No feed is being followed now.
feeds-follower = Follower
feeds-opened = Since
feeds-position = Position
feeds-lag = Behind the head
feeds-checkpoint-sent = Last checkpoint sent
feeds-last-sent = Last sent
feeds-explained = A follower resumes after its last position; `tanba feed verify` proves a saved feed against the operator's public keys up to the last signed checkpoint.

statistics-title = Statistics of goods
statistics-owner = Owner (IIN/BIN; empty: yours)
statistics-from = From
statistics-to = To
statistics-product = Product (GTIN; empty: all)
statistics-show = Show
statistics-heading = Owner { $owner }, { $from } to { $to }.
statistics-truncated = The period holds more figures than one page reads: choose a shorter period or one product.
statistics-stock = Stock now by status
statistics-stock-none = This owner holds no codes.
statistics-status = Status
statistics-codes = Codes
statistics-blocked = Of them blocked
statistics-with-blocked = { $codes } ({ $blocked } blocked)
statistics-top = Products held most (in stock, not withdrawn)
statistics-flows = Flows per day
statistics-flows-none = Nothing happened to this owner's goods in the period.
statistics-day = Day
statistics-transport = Transport packages
statistics-explained = Stock counts every code the owner holds, a package with everything inside it. Flows count by the day (Kazakhstan time) the system recorded them: shipments for the seller when they leave, acceptances for the buyer. The figures are kept as events happen, not computed from the codes on request.
flow-issued = issued
flow-applied = applied
flow-introduced = introduced
flow-shipped = shipped
flow-accepted = accepted
flow-sold = sold
flow-returned = returned by buyers
flow-exported = exported
flow-written-off = written off
flow-recalled = disposed of in recalls
flow-blocked = blocked
flow-unblocked = unblocked
