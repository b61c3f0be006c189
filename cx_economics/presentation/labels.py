"""Report wording in English and Finnish.

Looked up by :func:`cx_economics.presentation.formatting.label`.

Kept apart from the number formats so translators find every sentence in one place.
"""

from __future__ import annotations

from collections.abc import Mapping

#: key → (English, Finnish). Sentences with ``{}`` fields are filled by the caller.
LABELS: Mapping[str, tuple[str, str]] = {
    # bands
    "detractor": ("Detractors", "Arvostelijat"),
    "passive": ("Passives", "Passiiviset"),
    "promoter": ("Promoters", "Suosittelijat"),
    "unrated": ("Unrated", "Ei vastausta"),
    # report and section titles
    "report_title": ("Customer experience in money", "Asiakaskokemus rahassa"),
    "executive_summary": ("Executive summary", "Johdon yhteenveto"),
    "nps_by_channel": ("NPS by channel", "NPS kanavittain"),
    "nps_by_team": ("NPS by team", "NPS tiimeittäin"),
    "nps_window": (
        "answers of the last {months} months to {date}",
        "vastaukset {months} kuukauden ajalta {date} asti",
    ),
    "churn_by_band": ("Churn by NPS band", "Asiakaspoistuma NPS-ryhmittäin"),
    "churn_curves_title": (
        "Customers still with us, by NPS band (all channels pooled)",
        "Asiakkaista jäljellä NPS-ryhmittäin (kaikki kanavat yhdessä)",
    ),
    "lifetime_value": ("Lifetime value by NPS band", "Asiakkuuden arvo NPS-ryhmittäin"),
    "channel_economics": ("Channel economics", "Kanavien talous"),
    "targets": ("Targets and budget", "Tavoitteet ja budjetti"),
    "contact_drivers": ("Contact drivers", "Yhteydenottojen syyt"),
    "data_quality": ("Data quality", "Aineiston laatu"),
    "appendix": ("Methods and assumptions", "Menetelmät ja oletukset"),
    # axes and legends
    "channel": ("Channel", "Kanava"),
    "band": ("NPS band", "NPS-ryhmä"),
    "nps_points": ("NPS (points, −100 to +100)", "NPS (pisteet, −100…+100)"),
    "months": ("Months since joining", "Kuukautta asiakkuuden alusta"),
    "share_still_customers": ("Customers still with us (%)", "Asiakkaista jäljellä (%)"),
    "share_churned": ("Customers who left (%)", "Poistuneet asiakkaat (%)"),
    "shaded_interval": ("shaded: {}% interval", "varjostus: {} %:n luottamusväli"),
    "at_risk": ("Customers at risk", "Asiakkaita seurannassa"),
    "churn_at_months": ("Churned within {} months (%)", "Poistunut {} kk:ssa (%)"),
    "hazard_ratio": (
        "Monthly churn rate relative to {reference} (×, log scale)",
        "Kuukausipoistuma suhteessa: {reference} (×, log-asteikko)",
    ),
    "hazard_title": (
        "Churn speed within channel",
        "Poistumanopeus kanavan sisällä",
    ),
    "reference": ("reference", "vertailu"),
    "lifetime_value_axis": (
        "Lifetime margin per customer ({}, {} months, discounted)",
        "Asiakkaan elinkaarikate ({}, {} kk, diskontattu)",
    ),
    "money_lost_axis": (
        "Customer equity lost below excellent NPS ({}, present value over {} months)",
        "Menetetty asiakaspääoma erinomaiseen NPS:ään verrattuna ({}, nykyarvo {} kk)",
    ),
    "money_lost_axis_year": (
        "Value lost below excellent NPS ({} per year)",
        "Menetetty arvo erinomaiseen NPS:ään verrattuna ({} vuodessa)",
    ),
    "money_lost": ("Money lost below excellence", "Menetetty arvo erinomaisuuden alapuolella"),
    "value_of_point": ("Value of one NPS point", "Yhden NPS-pisteen arvo"),
    "target_value_based": ("Value-based target", "Arvoon perustuva tavoite"),
    "target_naive": ("“+25 %” rule", "”+25 %” -sääntö"),
    "nps_today": ("NPS today", "NPS nyt"),
    "nps_active": ("NPS (active)", "NPS (nyk.)"),
    "excellent_nps": ("Excellent NPS", "Erinomainen NPS"),
    "interval": ("{}% interval", "{} %:n luottamusväli"),
    "small_sample": ("small sample: not ranked", "pieni otos: ei vertailukelpoinen"),
    "extrapolated": ("model extrapolation", "mallin jatkoennuste"),
    "observed": ("observed", "havaittu"),
    "total": ("Total", "Yhteensä"),
    "customers": ("Customers", "Asiakkaat"),
    "responses": ("Responses", "Vastaukset"),
    "not_available": ("not available", "ei saatavilla"),
    "included": ("included", "mukana"),
    "page": ("Page", "Sivu"),
    "value": ("Value", "Arvo"),
    "unit": ("Unit", "Yksikkö"),
    "assumption": ("Assumption", "Oletus"),
    "section": ("Section", "Osio"),
    "status": ("Status", "Tila"),
    "reason": ("Reason", "Syy"),
    "saving_per_year": ("Value per year if fixed ({})", "Arvo vuodessa, jos korjataan ({})"),
    "contact_reason": ("Contact reason", "Yhteydenoton syy"),
    "never": ("> horizon", "> horisontti"),
    "excellent_short": ("Excellent", "Erinomainen"),
    "rule": ("Rule", "Sääntö"),
    "target": ("Target", "Tavoite"),
    "drivers_title": ("Money per contact reason per year", "Raha yhteydenoton syyttäin vuodessa"),
    "per_year": ("a year", "vuodessa"),
    "rank": ("#", "#"),
    "reduction": ("Cut", "Vähennys"),
    "benefit_per_year": ("Value a year (interval)", "Arvo vuodessa (väli)"),
    "break_even": ("Fix may cost up to", "Korjaus saa maksaa"),
    "npv": ("NPV", "Nykyarvo"),
    "decision": ("Decision", "Päätös"),
    "payback": ("Payback", "Takaisinmaksu"),
    "roi": ("ROI", "ROI"),
    "value_of_point_short": ("+1 point", "+1 piste"),
    "money_lost_short": ("Money lost", "Menetetty"),
    "per_year_short": ("Yearly eq.", "Tasaerä / v"),
    "cost_of_excellence_short": ("Extra cost / yr", "Lisäkulu / v"),
    "extra_cost_short": ("Extra cost / yr", "Lisäkulu / v"),
    "net_value_short": ("Net value", "Nettoarvo"),
    "naive_target": ("“+25 %” rule", "”+25 %” -sääntö"),
    "value_target": ("Value-based", "Arvoon perustuva"),
    "tile_money_lost": (
        "a year below excellent NPS (all channels; level equivalent of the present value)",
        "vuodessa erinomaisen NPS:n alapuolella (kaikki kanavat; nykyarvon tasaerä)",
    ),
    "say_money_lost": (
        "Below excellent NPS the customer base loses {total} of customer equity over "
        "{months} months{interval}, the same as {per_year} a year over that time; the "
        "largest gap is in {channel} ({amount}{range}, present value over {months} months).",
        "Erinomaisen NPS:n alapuolella asiakaskunta menettää {total} asiakaspääomaa "
        "{months} kuukaudessa{interval}, tasaerinä {per_year} vuodessa; suurin aukko on "
        "kanavassa {channel} ({amount}{range}, nykyarvo {months} kuukaudessa).",
    ),
    "say_robustness_adjusted": (
        "That money is adjusted for {columns}, each customer priced with the churn of "
        "their own {columns} (crude: {crude}).",
        "Menetys on oikaistu muuttujalla {columns}: jokainen asiakas hinnoitellaan oman "
        "ryhmänsä lähtöriskillä (oikaisematta {crude}).",
    ),
    "say_robustness_crude": (
        "That money is not adjusted for who the customers are (no segment or plan "
        "column in the data).",
        "Menetystä ei ole oikaistu asiakkaiden taustalla (aineistossa ei ole segmentti- "
        "tai tuotesaraketta).",
    ),
    "say_robustness": (
        "Only a hidden factor {e} times as common among detractors and making churn "
        "{e} times as likely could explain the band effect away (E-value); one "
        "explaining a quarter of it would leave {quarter} ({range}).",
        "Ryhmien eron selittäisi pois vain piilotekijä, joka olisi arvostelijoilla {e} "
        "kertaa niin yleinen ja tekisi lähtemisestä {e} kertaa niin todennäköistä "
        "(E-arvo); neljänneksen selittävä tekijä jättäisi menetyksestä {quarter} "
        "({range}).",
    ),
    "say_left_out": (
        "Not in this report: {sections}; the data-quality page says why.",
        "Raportista puuttuu: {sections}; Aineiston laatu -sivu kertoo syyn.",
    ),
    "say_targets": (
        "Value-based targets ({targets}) are worth {value_net} net; the “+25 %” rule "
        "({naive}) is worth {naive_net}: {gap} left on the table.",
        "Arvoon perustuvat tavoitteet ({targets}) tuottavat nettona {value_net}; "
        "”+25 %” -sääntö ({naive}) tuottaa {naive_net}: {gap} jää saamatta.",
    ),
    "say_levers_fixes": (
        "The biggest levers, by the net present value of their fixes: {levers}.",
        "Suurimmat vipuvarret korjausten nettonykyarvon mukaan: {levers}.",
    ),
    "say_levers_scenario": (
        "The biggest levers, if their contacts were cut by {reduction}: {levers}.",
        "Suurimmat vipuvarret, jos yhteydenottoja vähennetään {reduction}: {levers}.",
    ),
    "reason_no_costs": (
        "no channel cost table was given",
        "kanavien kustannustaulukkoa ei annettu",
    ),
    "reason_no_contact_cost": (
        "no cost per contact in the assumptions for channel(s) {}",
        "oletuksista puuttuu yhteydenoton hinta kanaville {}",
    ),
    "economics_note": (
        "Money lost: the margin today's active customers would bring more from today on "
        "(present value over {months} months, given how long each has stayed) if each "
        "channel's band mix were at its excellent NPS; NPS (active): the active customers' "
        "latest answers, the unrated shared out by tenure; yearly eq.: the yearly amount "
        "with the same present value, not a recurring loss; mix shift rule: {rule}; "
        "{interval}s from the bootstrap. Extra cost, net value, payback and ROI use the "
        "channel cost curves.",
        "Menetetty arvo: kate, jonka nykyiset asiakkaat toisivat tästä eteenpäin enemmän "
        "({months} kk nykyarvo, kunkin asiakkuuden kesto huomioiden), jos kanavan "
        "NPS-jakauma olisi erinomaisella tasolla; NPS (nyk.): nykyisten asiakkaiden "
        "viimeisimmät vastaukset, vastaamattomat jaettu asiakkuuden keston mukaan; "
        "tasaerä / v: vuosittainen summa, jolla on sama nykyarvo, ei toistuva menetys; "
        "jakauman siirtosääntö: {rule}; {interval} bootstrapista. Lisäkulu, nettoarvo, "
        "takaisinmaksu ja ROI kanavien kustannuskäyristä.",
    ),
    "targets_note": (
        "Value-based target: the NPS where one more point stops paying (marginal value = "
        "marginal cost). Against it, the “+25 %” rule gives up {gap} of net value.",
        "Arvoon perustuva tavoite: NPS, jossa seuraava piste ei enää kannata (rajahyöty = "
        "rajakustannus). Siihen verrattuna ”+25 %” -sääntö menettää {gap} nettoarvoa.",
    ),
    "budget_page": ("Budget split by value", "Budjetin kohdennus arvon mukaan"),
    "reason_no_budget_naive": (
        "no budget to split: the “+25 %” targets cost nothing extra",
        "ei kohdennettavaa budjettia: ”+25 %” -tavoitteet eivät maksa lisää",
    ),
    "reason_no_budget_assumptions": (
        "no budget to split: `cx_budget_per_year` is 0",
        "ei kohdennettavaa budjettia: `cx_budget_per_year` on 0",
    ),
    "extra_spend_short": ("Extra spend / yr", "Lisäpanostus / v"),
    "value_gain_short": ("Value gained", "Arvon lisäys"),
    "budget_source_naive": (
        "the yearly extra cost of the “+25 %” targets",
        "”+25 %” -tavoitteiden vuotuinen lisäkustannus",
    ),
    "budget_source_assumptions": (
        "the budget set in the assumptions (`cx_budget_per_year`)",
        "oletuksissa asetettu budjetti (`cx_budget_per_year`)",
    ),
    "budget_note": (
        "Budget: {budget} a year, {source}. Spent where one more euro buys the most customer "
        "equity (marginal value per euro equalised across channels), it returns {net} of net "
        "value, against {naive} for the “+25 %” targets; the value-based targets, which "
        "spend only where it pays, return {value_based}.{unspent}",
        "Budjetti: {budget} vuodessa, {source}. Kun jokainen euro käytetään sinne, missä se "
        "tuottaa eniten asiakaspääomaa (rajahyöty euroa kohden sama kaikissa kanavissa), "
        "nettoarvo on {net}; ”+25 %” -tavoitteilla {naive}. Arvoon perustuvat tavoitteet, "
        "jotka panostavat vain kannattaviin kohteisiin, tuottavat {value_based}.{unspent}",
    ),
    "budget_unspent": (
        " {unspent} a year is left unspent: no channel can absorb it below NPS 100.",
        " {unspent} vuodessa jää käyttämättä: yksikään kanava ei voi käyttää sitä alle NPS 100:n.",
    ),
    "drivers_note": (
        "Value a year: contact-handling cost avoided plus the lifetime value of the churn "
        "no longer caused; a fix costing less than the break-even amount pays back within "
        "{months} months. Reasons too sparse to judge are shown hollow and not ranked.",
        "Arvo vuodessa: vältetyt yhteydenottokulut ja poistuman elinkaariarvo; korjaus, "
        "joka maksaa alle rajan, maksaa itsensä takaisin {months} kuukaudessa. Liian "
        "harvinaiset syyt näytetään ontoina eikä niitä järjestetä.",
    ),
    "method_economics": (
        "Money lost: priced on today's active customers — their current bands (the "
        "unrated shared out by the rated mix of their channel and tenure class) and each "
        "band's residual value at their tenures; the gain of moving each channel's mix to "
        "its excellent NPS (mix shift: {rule}). Excellent NPS: today's NPS of the active "
        "customers plus the best teams' lead: {levels}.",
        "Menetetty arvo: hinnoiteltu nykyisille asiakkaille — heidän nykyiset NPS-ryhmänsä "
        "(vastaamattomat jaettu kanavan ja asiakkuuden keston mukaisen jakauman mukaan) ja "
        "kunkin ryhmän jäännösarvo heidän asiakkuutensa kestolla; hyöty kanavan jakauman "
        "siirrosta erinomaiselle NPS:lle (jakauman siirto: {rule}). Erinomainen NPS: "
        "nykyisten asiakkaiden NPS lisättynä parhaiden tiimien etumatkalla: {levels}.",
    ),
    "method_adjusted": (
        "Adjusted for {columns}: each channel × {columns} has its own band curves and "
        "margins, and a band's value is their average over the channel's active "
        "customers, so every customer keeps their own {columns} and moves band "
        "(g-formula). E-value: VanderWeele & Ding (2017), on the detractors' hazard "
        "ratio converted to a risk ratio; the sensitivity moves each band's churn a "
        "quarter of the way to the promoters'.",
        "Oikaisu muuttujalla {columns}: jokaisella kanavan ja ryhmän ({columns}) "
        "yhdistelmällä on omat lähtökäyränsä ja katteensa, ja NPS-ryhmän arvo on niiden "
        "keskiarvo kanavan nykyisten asiakkaiden yli: jokainen asiakas pysyy omassa "
        "ryhmässään ja vain NPS-ryhmä vaihtuu (g-kaava). E-arvo: VanderWeele & Ding "
        "(2017) arvostelijoiden riskisuhteesta; herkkyys siirtää kunkin ryhmän "
        "poistumaa neljänneksen matkasta suosittelijoiden poistumaan.",
    ),
    "method_targets": (
        "Targets: the profit-maximising NPS per channel (marginal value of a point = its "
        "marginal cost on finance's cost curve). The “+25 %” rule adds a quarter of "
        "today's NPS (of its size when negative), and at least one point.",
        "Tavoitteet: kanavan voiton maksimoiva NPS (pisteen rajahyöty = rajakustannus "
        "talouden kustannuskäyrällä). ”+25 %” -sääntö lisää nykyiseen NPS:ään "
        "neljänneksen sen suuruudesta, kuitenkin vähintään yhden pisteen.",
    ),
    "method_drivers_fixes": (
        "Contact drivers: rates per 1,000 customers a month, churn after a contact "
        "(time-varying hazard), failure-demand cost at the cost per contact; fixes priced "
        "with their given costs (NPV, payback, ROI).",
        "Yhteydenottojen syyt: määrä 1 000 asiakasta kohden kuukaudessa, poistuma "
        "yhteydenoton jälkeen (ajassa muuttuva riski), hoitokulu yhteydenoton hinnalla; "
        "korjaukset annetuin kustannuksin (nykyarvo, takaisinmaksu, ROI).",
    ),
    "method_drivers_scenario": (
        "Contact drivers: rates per 1,000 customers a month, churn after a contact "
        "(time-varying hazard), failure-demand cost at the cost per contact; no fix costs "
        "given, so each reason is priced as a scenario and ranked by what a fix may cost.",
        "Yhteydenottojen syyt: määrä 1 000 asiakasta kohden kuukaudessa, poistuma "
        "yhteydenoton jälkeen (ajassa muuttuva riski), hoitokulu yhteydenoton hinnalla; "
        "korjausten hintoja ei annettu, joten syyt on hinnoiteltu skenaarioina.",
    ),
    "targets_title": (
        "NPS targets: value-based against “+25 %”",
        "NPS-tavoitteet: arvoon perustuva ja ”+25 %”",
    ),
    "driver_money_axis": (
        "Cost of the contacts and of the churn they cause ({} per year)",
        "Yhteydenottojen ja niiden aiheuttaman poistuman hinta ({} vuodessa)",
    ),
    "team": ("Team", "Tiimi"),
    "nps": ("NPS", "NPS"),
    "yes": ("yes", "kyllä"),
    "reliable": ("Reliable", "Luotettava"),
    "interval_short": ("Interval", "Luottamusväli"),
    "monthly_margin": ("Margin / month", "Kate / kk"),
    "lifetime_value_short": ("Lifetime value", "Elinkaariarvo"),
    "extrapolated_share": ("Extrapolated", "Jatkoennustetta"),
    "contacts": ("Contacts", "Yhteydenotot"),
    "channel_costs": ("Channel costs", "Kanavien kustannukset"),
    "table": ("Table", "Taulukko"),
    "rows_read": ("Rows read", "Rivejä luettu"),
    "rows_used": ("Rows used", "Rivejä käytetty"),
    "rows_ignored": ("Rows ignored", "Rivejä ohitettu"),
    "note": ("Note", "Huomio"),
    # executive summary: sentences and key numbers ({fields} are filled by the report)
    "say_nps": (
        "Over the last {months} months, NPS across all channels is {nps} ({interval}: "
        "{lower} to {upper}; {n} survey answers). It ranges from {low} in {low_channel} "
        "to {high} in {high_channel}.",
        "Viimeisten {months} kuukauden aikana kaikkien kanavien NPS on {nps} ({interval}: "
        "{lower}…{upper}; {n} vastausta). Heikoin on {low_channel} ({low}), paras "
        "{high_channel} ({high}).",
    ),
    "say_hazard": (
        "Detractors leave {ratio} times as fast as promoters of the same channel{also} "
        "({interval}: {lower} to {upper}).",
        "Arvostelijat lähtevät {ratio} kertaa niin nopeasti kuin saman kanavan{also} "
        "suosittelijat ({interval}: {lower}…{upper}).",
    ),
    "say_churn_12": (
        "Within their first 12 months, {detractors} of detractors have left, against "
        "{promoters} of promoters.",
        "Ensimmäisen 12 kuukauden aikana arvostelijoista on lähtenyt {detractors}, "
        "suosittelijoista {promoters}.",
    ),
    "say_value": (
        "Over {months} months a new promoter brings {promoter} of margin and a new "
        "detractor {detractor}: {difference} more per customer (discounted).",
        "{months} kuukaudessa uusi suosittelija tuo katetta {promoter} ja uusi arvostelija "
        "{detractor}: {difference} enemmän asiakasta kohden (diskontattuna).",
    ),
    "tile_nps": (
        "NPS across all channels, last {months} months ({n} answers)",
        "NPS kaikissa kanavissa, {months} kk ({n} vastausta)",
    ),
    "tile_hazard": (
        "faster churn of detractors than of promoters",
        "nopeampi poistuma arvostelijoilla kuin suosittelijoilla",
    ),
    "tile_value": (
        "more margin from a promoter than a detractor over {months} months",
        "enemmän katetta suosittelijasta kuin arvostelijasta {months} kuukaudessa",
    ),
    "tile_customers": ("customers analysed", "asiakasta analysoitu"),
    # notes and data quality
    "nps_note": (
        "Intervals: {interval} ({method}). A group is reliable when its interval is at most "
        "±{margin:g} NPS points wide either side; smaller groups are shown but not ranked.",
        "Luottamusvälit: {interval} ({method}). Ryhmä on luotettava, kun väli on enintään "
        "±{margin:g} NPS-pistettä; pienemmät ryhmät näytetään, mutta niitä ei järjestetä.",
    ),
    "value_note": (
        "Lifetime value: margin per customer per month times the share still with us each "
        "month, discounted at {rate} a year, summed over {months} months (churn model: "
        "{model}). {interval} from the {method}.",
        "Elinkaariarvo: asiakkaan kuukausikate kerrottuna kunakin kuukautena jäljellä olevien "
        "osuudella, diskontattuna {rate} vuodessa, {months} kuukauden ajalta (poistumamalli: "
        "{model}). {interval}: {method}.",
    ),
    "reason_no_contacts": ("no contacts table was given", "yhteydenottotaulukkoa ei annettu"),
    "dq_unrated": (
        "{n} customers gave no survey answer: kept as “unrated”, never dropped",
        "{n} asiakasta ei vastannut kyselyyn: mukana ryhmänä ”ei vastausta”",
    ),
    "dq_responses": (
        "{orphans} answers name no known customer; {late} are dated after the cut-off",
        "{orphans} vastausta ei kuulu tunnetulle asiakkaalle; {late} on päivätty "
        "rajapäivän jälkeen",
    ),
    "dq_contacts": (
        "{orphans} contacts name no known customer (not linked to churn)",
        "{orphans} yhteydenottoa ei kuulu tunnetulle asiakkaalle (ei liitetä poistumaan)",
    ),
    "more_caveats": (
        "… and {n} more caveats (see ReportResult.caveats)",
        "… ja {n} muuta huomiota",
    ),
    "dq_not_given": ("not given", "ei annettu"),
    "dq_small": (
        "NPS by {what}: {k} of {n} groups have intervals wider than ±{margin} points and are "
        "not ranked ({examples}).",
        "NPS ({what}): {k}/{n} ryhmän luottamusväli on yli ±{margin} pistettä, eikä niitä "
        "järjestetä ({examples}).",
    ),
    "dq_all_reliable": (
        "NPS by {what}: all {n} groups are within ±{margin} points.",
        "NPS ({what}): kaikki {n} ryhmää ovat ±{margin} pisteen tarkkuudella.",
    ),
    "method_data": (
        "Data: {customers} customers, cut-off {as_of}. Random seed {seed}: the same seed "
        "gives the same numbers.",
        "Aineisto: {customers} asiakasta, rajapäivä {as_of}. Satunnaissiemen {seed}: sama "
        "siemen antaa samat luvut.",
    ),
    "method_nps": (
        "NPS = % promoters (9–10) − % detractors (0–6). Intervals: {interval}, {method} "
        "(Rocks, 2016). Reliable when the half-width is at most ±{margin} points.",
        "NPS = suosittelijat (9–10) % − arvostelijat (0–6) %. Luottamusvälit: {interval}, "
        "{method} (Rocks, 2016). Luotettava, kun puoliväli on enintään ±{margin} pistettä.",
    ),
    "method_churn": (
        "Churn curves: {model} by NPS band. A customer is unrated until their first answer "
        "and in an answer's band from the answer's month on (delayed entry), so no band is "
        "credited with months before its customers answered; hazard ratios are adjusted "
        "for channel (and segment, when the customers carry one). Shaded bands are "
        "pointwise {interval}s. Answers to surveys sent after a contact come from "
        "customers who have just had a reason to leave: their band curves read low "
        "(2–7 points at 12–36 months in simulations).",
        "Poistumakäyrät: {model} NPS-ryhmittäin. Asiakas on luokittelematon ensimmäiseen "
        "vastaukseensa asti ja vastauksen ryhmässä vastauskuukaudesta alkaen "
        "(viivästetty sisääntulo), joten ryhmälle ei lueta kuukausia ennen vastausta; "
        "riskisuhteet on vakioitu kanavan (ja segmentin) mukaan. Varjostus on "
        "pisteittäinen {interval}. Yhteydenoton jälkeen lähetettyjen kyselyjen vastaajilla "
        "on juuri ollut syy lähteä: niiden ryhmäkäyrät ovat simulaatioissa 2–7 pistettä "
        "liian matalat 12–36 kk:n kohdalla.",
    ),
    "method_value": (
        "Lifetime value: discounted margin over {months} months at {rate} a year, churn "
        "model {model}; intervals: {method} with {n} replicates.",
        "Elinkaariarvo: diskontattu kate {months} kuukaudelta, korko {rate} vuodessa, "
        "poistumamalli {model}; luottamusvälit: {method}, {n} toistoa.",
    ),
    # target charts
    "net_value_by_nps_title": (
        "Net value of raising NPS, per channel",
        "NPS:n noston nettoarvo kanavittain",
    ),
    "net_value_axis": ("Net value over the horizon ({})", "Nettoarvo tarkastelujaksolla ({})"),
    "budget_title": ("Value gained for extra yearly spend", "Lisäpanostuksen tuottama arvo"),
    "extra_spend_axis": ("Extra spend per year ({})", "Lisäpanostus vuodessa ({})"),
    "value_gain_axis": ("Value gained ({})", "Saavutettu arvo ({})"),
    "allocated": ("Allocated", "Kohdennettu"),
    "scorecard_title": ("NPS so far against target", "NPS tähän mennessä vs. tavoite"),
    "nps_so_far": ("NPS so far", "NPS tähän mennessä"),
    "date": ("Date", "Päivämäärä"),
    "value_vs_cost": ("value gained against extra cost", "arvon lisäys vs. lisäkustannus"),
}
