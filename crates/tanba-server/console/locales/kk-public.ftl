# Жария беттің қазақша мәтіндері: телефон кодтың GS1 Digital Link сілтемесі бойынша көретін бет,
# кодты тексеретін басты бет және оның пішіндеріне жауаптар (кері қайтарып алу туралы хабарламалар,
# бұзушылық туралы хабарлар). Әр id public- деп басталады; әр хабар ru-public.ftl және
# en-public.ftl файлдарында да бар.

public-brand = Tanba
public-tagline = Таңбаланған тауарларды тексеру
public-title = Таңбаны тексеру
public-language = Тіл

## Кодты тексеру.
public-card = Код бойынша мәлімет
public-code = Код
public-product = Тауар
public-gtin = GTIN
public-producer = Өндіруші
public-importer = Импорттаушы
public-country = Шыққан елі
public-produced = Өндірілген күні
public-expires = Жарамдылық мерзімі
public-blocked-by = Бұғаттаған
public-recalled-by = Кері қайтарып алушы
public-recall-notice = Кері қайтарып алу туралы хабарлама
public-untailed = Код криптоқұйрықсыз тексерілді: түпнұсқалықты тек қаптамадағы толық код дәлелдейді
public-flagged = Бұл кодты көп жерде тексерген немесе ол туралы шағымдар бар: көшірме болуы мүмкін

## Кері қайтарып алу туралы телефонға немесе e-mail-ге хабарлама (R-REC-07).
public-opt-in-title = Кері қайтарып алу туралы хабарламалар
public-opt-in = Бұл тауар кері қайтарылып алынса, маған хабарлаңыз (телефон немесе e-mail):
public-opt-in-contact = Телефон немесе e-mail
public-opt-in-button = Жазылу
public-opted-in-title = Жазылдыңыз
public-opted-in = Жазылдыңыз. Хабарламаларды оқу немесе байланысты жою үшін мына нөмір мен кілтті сақтаңыз.
public-opt-in-number = Нөмір
public-opt-in-key = Кілт

## Бұзушылық туралы хабарлау.
public-report-title = Бұзушылық туралы хабарлау
public-report-lead = Бұл тауардың не кемшілігі барын инспекторларға айтыңыз. Хабарды олар тексереді: ол жоғарыдағы тексеру нәтижесін өзгертпейді.
public-report-lead-no-code = Таңбалау кодысыз сатылып жатқан тауар немесе басқа бұзушылық туралы инспекторларға хабарлаңыз.
public-report-code = Тауардағы код (жоқ болса, бос қалдырыңыз)
public-report-kind = Не дұрыс емес
public-kind-counterfeit = Жалған тауар
public-kind-sold-after-expiry = Жарамдылық мерзімі өткеннен кейін сатылуда
public-kind-no-code = Таңбалау кодысыз сатылуда
public-kind-price = Бағасы рұқсат етілгеннен жоғары
public-kind-other = Басқа
public-report-comment = Түсініктеме (міндетті емес)
public-report-place = Қай жерде (міндетті емес)
public-report-latitude = Ендік
public-report-longitude = Бойлық
public-report-locate = Менің орналасқан жерім
public-report-locating = Орналасқан жеріңіз анықталуда…
public-report-no-location = Орналасқан жеріңіз анықталмады: оны қолмен енгізіңіз немесе бос қалдырыңыз.
public-report-photo = Фото (міндетті емес)
public-report-photo-hint = JPEG, PNG немесе WebP, { $shown } МБ-тан аспайтын
public-report-photo-too-large = Бұл фото { $shown } МБ-тан үлкен: кішірек фото таңдаңыз.
public-report-send = Хабарды жіберу
public-reported-title = Рақмет
public-reported = Хабарыңыз қабылданды, ол инспекторларға жіберіледі.
public-reported-number = Хабардың нөмірі
public-reported-keep = Осы хабар бойынша инспекторларға жүгінсеңіз, бұл нөмірді сақтаңыз.

## Басты бет және жауаптар.
public-home-prompt = Тауардағы кодты енгізіңіз немесе сканерлеңіз
public-home-check = Тексеру
public-home-report = Таңбалау кодысыз тауар туралы хабарлау
public-error-title = Орындалмады
public-back = Тауарға оралу
public-check-another = Басқа кодты тексеру

## GS1 резолвер клиенті код үшін алатын сілтемелердің атаулары (сілтемелер жиыны).
public-link-default = Кодтың таңбалануын тексеру
public-link-pip = Тауар туралы ақпарат: { $name }
public-link-verification = Кодты тексеру
public-link-verification-json = Кодты тексеру (JSON)
public-link-recall-status = Тауарды кері қайтарып алу мәртебесі
public-link-recall-status-json = Тауарды кері қайтарып алу мәртебесі (JSON)
