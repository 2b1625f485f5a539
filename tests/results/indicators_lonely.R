# Reference numbers for sga_methods.victimization and sga_methods.indicators on a stratified
# cluster design with a lonely PSU, from R's survey package.
#
# Data: the committed synthetic demo survey (data/synthetic/tashkent-chilanzar/survey.csv.gz,
# seed 2025) without the mahallas of stratum 6 except the first, so that stratum 6 has a
# single PSU. Design: strata = stratum, PSUs = mahalla (with replacement), weights = weight
# (persons 15+) or hh_weight (households), options(survey.lonely.psu = RULE) for RULE in
# "adjust", "average" and "certainty". Run from the repository root:
#   Rscript tests/results/indicators_lonely.R
# Writes tests/results/indicators_lonely.json; each case records the R call that produced it.
# Percentages are proportions here (Python scales by 100); NA answers are left out of each
# base, i.e. the domain is subset(design, base & !is.na(answer)).
suppressPackageStartupMessages({library(survey); library(jsonlite)})

d <- read.csv(gzfile("data/synthetic/tashkent-chilanzar/survey.csv.gz"))
first6 <- min(d$mahalla[d$stratum == 6])
d <- d[d$stratum != 6 | d$mahalla == first6, ]
d$one <- 1
officials <- c("police", "courts", "health", "education", "tax", "registry", "utilities", "local_admin")
violent <- c("robbery", "assault_threat", "sexual")
anyof <- function(cols) {  # 1 if any >= 1, 0 if all known ones are 0, NA if none known
  m <- as.matrix(d[cols]); hit <- rowSums(m >= 1, na.rm = TRUE) > 0
  ifelse(hit, 1, ifelse(rowSums(!is.na(m)) > 0, 0, NA))
}
# derived indicators (the definitions of METHODS.md)
vmat <- sapply(violent, function(c) d[[paste0("n12_", c)]] >= 1)
d$violent_victim <- as.numeric(rowSums(vmat) > 0)
rmat <- sapply(violent, function(c) d[[paste0("n12_", c)]] >= 1 & d[[paste0("rep_", c)]] %in% 1)
kmat <- sapply(violent, function(c) d[[paste0("n12_", c)]] >= 1 & !is.na(d[[paste0("rep_", c)]]))
d$violent_reported <- ifelse(rowSums(kmat) > 0, as.numeric(rowSums(rmat) > 0), NA)
d$safe_dark <- ifelse(d$feel_safe_dark == 5, d$feel_safe_dark_would, d$feel_safe_dark)
d$safe <- as.numeric(d$safe_dark %in% c(3, 4)); d$safe[is.na(d$safe_dark)] <- NA
d$contact_any <- anyof(paste0("contact_", officials))
d$bribe_any <- anyof(c(paste0("bribe_asked_", officials), paste0("bribe_paid_", officials)))
d$bribe_any[is.na(d$bribe_any)] <- 0
d$in_contact <- as.numeric(d$contact_any %in% 1 | d$bribe_any == 1)
d$bribe_police <- anyof(c("bribe_asked_police", "bribe_paid_police")); d$bribe_police[is.na(d$bribe_police)] <- 0
d$police_contact <- as.numeric(d$contact_police %in% 1 | d$bribe_police == 1)
d$harassed <- anyof(c("harass_nonsexual_12m", "harass_sexual_12m"))
for (s in c("health", "education", "govservices")) {
  base <- d[[paste0("used_", s)]] %in% 1 & !is.na(d[[paste0("sat_", s)]])
  d[[paste0("b_", s)]] <- as.numeric(base)
  d[[paste0("y_", s)]] <- ifelse(base, as.numeric(d[[paste0("sat_", s)]] >= 3), 0)
}
for (s in c("have_say", "have_influence")) {
  d[[paste0("b_", s)]] <- as.numeric(!is.na(d[[s]]))
  d[[paste0("y_", s)]] <- ifelse(is.na(d[[s]]), 0, as.numeric(d[[s]] >= 3))
}

cases <- list()
add <- function(name, rule, call, estimate, se, ci, df) {
  cases[[length(cases) + 1]] <<- list(name = name, lonely_psu = rule, call = call,
    estimate = as.numeric(estimate), se = as.numeric(se), ci_low = as.numeric(ci[, 1]),
    ci_high = as.numeric(ci[, 2]), df = df)
}
ciprop <- function(name, rule, f, des, call) {
  p <- svyciprop(f, des, method = "logit")
  add(name, rule, call, coef(p), SE(p), confint(p), degf(des))
}

for (rule in c("adjust", "average", "certainty")) {
  options(survey.lonely.psu = rule)
  persons <- svydesign(ids = ~mahalla, strata = ~stratum, weights = ~weight, data = d)
  households <- svydesign(ids = ~mahalla, strata = ~stratum, weights = ~hh_weight, data = d)
  stopifnot(sum(table(unique(d[c("stratum", "mahalla")])$stratum) == 1) == 1)

  ciprop("prevalence theft_personal", rule, ~I(n12_theft_personal >= 1), persons,
         "svyciprop(~I(n12_theft_personal >= 1), persons, method = 'logit')")
  ciprop("prevalence burglary", rule, ~I(n12_burglary >= 1), households,
         "svyciprop(~I(n12_burglary >= 1), households, method = 'logit')")
  r <- svyratio(~n12_assault_threat, ~one, persons)
  add("incidence assault_threat", rule, "svyratio(~n12_assault_threat, ~one, persons)",
      coef(r), SE(r), confint(r, df = degf(persons)), degf(persons))
  des <- update(persons, capped = pmin(n12_assault_threat, 10))
  r <- svyratio(~capped, ~one, des)
  add("incidence assault_threat cap 10", rule, "svyratio(~pmin(n12_assault_threat, 10), ~one, persons)",
      coef(r), SE(r), confint(r, df = degf(des)), degf(des))
  des <- update(persons, victim = as.numeric(n12_theft_personal >= 1))
  r <- svyratio(~n12_theft_personal, ~victim, des)
  add("concentration theft_personal", rule, "svyratio(~n12_theft_personal, ~victim, persons)",
      coef(r), SE(r), confint(r, df = degf(des)), degf(des))
  ciprop("reporting theft_personal", rule, ~rep_theft_personal,
         subset(persons, n12_theft_personal >= 1 & !is.na(rep_theft_personal)),
         "svyciprop(~rep_theft_personal, subset(persons, n12_theft_personal >= 1), method = 'logit')")

  ciprop("sdg_16_1_3", rule, ~violent_victim, persons,
         "svyciprop(~violent_victim, persons, method = 'logit')  # any of robbery, assault/threat, sexual")
  ciprop("sdg_16_1_4", rule, ~safe, subset(persons, !is.na(safe)),
         "svyciprop(~safe, subset(persons, !is.na(safe)), method = 'logit')  # 3-4 after the would follow-up")
  b <- svyby(~safe, ~sex, subset(persons, !is.na(safe)), svyciprop, method = "logit", vartype = c("se", "ci"))
  add("sdg_16_1_4 by sex", rule, "svyby(~safe, ~sex, subset(persons, !is.na(safe)), svyciprop, method = 'logit')",
      coef(b), SE(b), cbind(b$ci_l, b$ci_u), NA)
  ciprop("sdg_16_3_1", rule, ~violent_reported,
         subset(persons, violent_victim == 1 & !is.na(violent_reported)),
         "svyciprop(~violent_reported, subset(persons, violent_victim == 1), method = 'logit')")
  ciprop("sdg_16_5_1", rule, ~bribe_any, subset(persons, in_contact == 1),
         "svyciprop(~bribe_any, subset(persons, in_contact == 1), method = 'logit')  # asked or paid, any official")
  ciprop("sdg_16_5_1 police", rule, ~bribe_police, subset(persons, police_contact == 1),
         "svyciprop(~bribe_police, subset(persons, police_contact == 1), method = 'logit')")
  ciprop("sdg_11_7_2", rule, ~harassed, subset(persons, !is.na(harassed)),
         "svyciprop(~harassed, subset(persons, !is.na(harassed)), method = 'logit')  # non-sexual or sexual")
  ciprop("sdg_16_6_2 health", rule, ~y_health, subset(persons, b_health == 1),
         "svyciprop(~I(sat_health >= 3), subset(persons, used_health == 1), method = 'logit')")
  r <- svyratio(~y_health + y_education + y_govservices, ~b_health + b_education + b_govservices,
                persons, covmat = TRUE)
  k <- setNames(rep(0, 9), names(coef(r)))
  k[c("y_health/b_health", "y_education/b_education", "y_govservices/b_govservices")] <- 1 / 3
  m <- svycontrast(r, k)
  add("sdg_16_6_2", rule, "svycontrast(svyratio(~y_h + y_e + y_g, ~b_h + b_e + b_g, persons, covmat = TRUE), mean of the 3 matching ratios)",
      coef(m), SE(m), confint(m, df = degf(persons)), degf(persons))
  r <- svyratio(~y_have_say + y_have_influence, ~b_have_say + b_have_influence, persons, covmat = TRUE)
  k <- setNames(rep(0, 4), names(coef(r)))
  k[c("y_have_say/b_have_say", "y_have_influence/b_have_influence")] <- 1 / 2
  m <- svycontrast(r, k)
  add("sdg_16_7_2", rule, "svycontrast(svyratio(~y_say + y_influence, ~b_say + b_influence, persons, covmat = TRUE), mean of the 2 matching ratios)",
      coef(m), SE(m), confint(m, df = degf(persons)), degf(persons))
  ciprop("drug_use_year 15-64", rule, ~drug_use_year, subset(persons, age <= 64 & !is.na(drug_use_year)),
         "svyciprop(~drug_use_year, subset(persons, age <= 64), method = 'logit')")
}

items <- ~cohesion_1 + cohesion_2 + cohesion_3 + cohesion_4 + cohesion_5
options(survey.lonely.psu = "adjust")
persons <- svydesign(ids = ~mahalla, strata = ~stratum, weights = ~weight, data = d)
equal <- svydesign(ids = ~1, weights = ~one, data = d)
alpha <- list(weighted = as.numeric(svycralpha(items, persons, na.rm = TRUE)),
              unweighted = as.numeric(svycralpha(items, equal, na.rm = TRUE)))

writeLines(toJSON(list(source = "tests/results/indicators_lonely.R",
  r_version = R.version.string, survey_version = as.character(packageVersion("survey")),
  lonely_stratum = 6, lonely_mahalla = first6, cronbach_alpha_cohesion = alpha,
  cases = cases), auto_unbox = TRUE, digits = 15, pretty = TRUE, na = "null"),
  "tests/results/indicators_lonely.json")
