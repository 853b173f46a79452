# The public page's texts in English: what a phone shows at a code's GS1 Digital Link, the home
# page that checks a code, and the answers to its forms (recall notices, violation reports).
# Every id starts with public-; every message here exists in kk-public.ftl and ru-public.ftl too.

public-brand = Tanba
public-tagline = Check of marked goods
public-title = Marking check
public-language = Language

## The check of a code.
public-card = What the code says
public-code = Code
public-product = Product
public-gtin = GTIN
public-producer = Producer
public-importer = Importer
public-country = Country of origin
public-produced = Production date
public-expires = Expiry date
public-blocked-by = Blocked by
public-recalled-by = Recalled by
public-recall-notice = Recall notice
public-untailed = Checked without the code's crypto tail: only the full code on the package proves it genuine
public-flagged = This code was checked in many places or reported: it may be a copy

## Recall notices by phone or e-mail (R-REC-07).
public-opt-in-title = Recall notices
public-opt-in = Tell me if this product is recalled (phone or e-mail):
public-opt-in-contact = Phone or e-mail
public-opt-in-button = Subscribe
public-opted-in-title = You are subscribed
public-opted-in = You are subscribed. Keep this number and key: with them you read your notices or delete your contact.
public-opt-in-number = Number
public-opt-in-key = Key

## Reporting a violation.
public-report-title = Report a violation
public-report-lead = Tell the inspectors what is wrong with these goods. A report is checked by them: it does not change the verdict above.
public-report-lead-no-code = Tell the inspectors about goods sold without a marking code, or about any other violation.
public-report-code = Code on the goods (leave empty if there is none)
public-report-kind = What is wrong
public-kind-counterfeit = A counterfeit
public-kind-sold-after-expiry = Sold after its expiry date
public-kind-no-code = Sold without a marking code
public-kind-price = The price is above the one allowed
public-kind-other = Something else
public-report-comment = Comment (optional)
public-report-place = Where (optional)
public-report-latitude = Latitude
public-report-longitude = Longitude
public-report-locate = Use my location
public-report-locating = Finding your location…
public-report-no-location = Your location is not available: enter it by hand or leave it empty.
public-report-photo = Photo (optional)
public-report-photo-hint = JPEG, PNG or WebP, up to { $shown } MB
public-report-photo-too-large = This photo is larger than { $shown } MB: choose a smaller one.
public-report-send = Send the report
public-reported-title = Thank you
public-reported = Your report has been received and will be passed to the inspectors.
public-reported-number = Report number
public-reported-keep = Keep this number if you contact the inspectors about this report.

## The home page and the answers.
public-home-prompt = Enter or scan the code on the goods
public-home-check = Check
public-home-report = Report goods sold without a marking code
public-error-title = Not done
public-back = Back to the product
public-check-another = Check another code

## The titles of the links a GS1 resolver's client gets for a code (its linkset).
public-link-default = Marking check of the code
public-link-pip = Product information: { $name }
public-link-verification = Check of the code
public-link-verification-json = Check of the code (JSON)
public-link-recall-status = Recall status
public-link-recall-status-json = Recall status (JSON)
