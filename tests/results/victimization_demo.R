# Reference numbers for sga_methods.victimization, from R's survey package.
#
# Data: the committed synthetic demo survey (data/synthetic/tashkent-chilanzar/survey.csv.gz,
# seed 2025). Design: strata = stratum, PSUs = mahalla (first stage, with replacement),
# weights = weight (persons 15+) or hh_weight (households). Run from the repository root:
#   Rscript tests/results/victimization_demo.R
# Writes tests/results/victimization_demo.json. Each case records the R call that produced it.
suppressPackageStartupMessages({library(survey); library(jsonlite)})
options(survey.lonely.psu = "fail")

d <- read.csv(gzfile("data/synthetic/tashkent-chilanzar/survey.csv.gz"))
d$one <- 1
persons <- svydesign(ids = ~mahalla, strata = ~stratum, weights = ~weight, data = d)
households <- svydesign(ids = ~mahalla, strata = ~stratum, weights = ~hh_weight, data = d)
cases <- list()
add <- function(name, call, estimate, se, ci, df) {
  cases[[length(cases) + 1]] <<- list(name = name, call = call, estimate = as.numeric(estimate),
    se = as.numeric(se), ci_low = as.numeric(ci[, 1]), ci_high = as.numeric(ci[, 2]), df = df)
}

# prevalence: svyciprop (logit), estimate/SE as svymean of the indicator; scaled by 100 in Python
for (spec in list(list("theft_personal", persons, "persons"), list("burglary", households, "households"),
                  list("sexual", persons, "persons"))) {
  v <- paste0("n12_", spec[[1]]); des <- spec[[2]]
  f <- as.formula(sprintf("~I(%s >= 1)", v))
  p <- svyciprop(f, des, method = "logit")
  add(sprintf("prevalence %s", spec[[1]]), sprintf("svyciprop(~I(%s >= 1), %s, method = 'logit')", v, spec[[3]]),
      coef(p), SE(p), confint(p), degf(des))
}
by_sex <- svyby(~I(n12_theft_personal >= 1), ~sex, persons, svyciprop, method = "logit", vartype = c("se", "ci"))
add("prevalence theft_personal by sex",
    "svyby(~I(n12_theft_personal >= 1), ~sex, persons, svyciprop, method = 'logit', vartype = c('se', 'ci'))",
    coef(by_sex), SE(by_sex), cbind(by_sex$ci_l, by_sex$ci_u), NA)

# incidence: svyratio(~count, ~one) (= svymean); CI t with degf(design); scaled by 1000 in Python
for (cap in list(NULL, 10)) {
  d$capped <- if (is.null(cap)) d$n12_assault_threat else pmin(d$n12_assault_threat, cap)
  des <- update(persons, capped = d$capped)
  r <- svyratio(~capped, ~one, des)
  add(sprintf("incidence assault_threat cap %s", if (is.null(cap)) "none" else cap),
      sprintf("svyratio(~pmin(n12_assault_threat, %s), ~one, persons)", if (is.null(cap)) "Inf" else cap),
      coef(r), SE(r), confint(r, df = degf(des)), degf(des))
}
# the p98 cap by its definition: smallest count c with weighted share of victims' counts <= c >= 0.98
v <- d$n12_bribery_request; w <- d$weight; vic <- v >= 1
o <- order(v[vic]); share <- cumsum(w[vic][o]) / sum(w[vic])
p98 <- v[vic][o][which(share >= 0.98)[1]]
des <- update(persons, capped = pmin(v, p98))
r <- svyratio(~capped, ~one, des)
add("incidence bribery_request cap p98", sprintf("svyratio(~pmin(n12_bribery_request, %s), ~one, persons)  # p98 = %s", p98, p98),
    coef(r), SE(r), confint(r, df = degf(des)), degf(des))
cases[[length(cases)]]$cap <- p98

# concentration: svyratio(~count, ~victim)
des <- update(persons, victim = as.numeric(d$n12_theft_personal >= 1))
r <- svyratio(~n12_theft_personal, ~victim, des)
add("concentration theft_personal", "svyratio(~n12_theft_personal, ~victim, persons)",
    coef(r), SE(r), confint(r, df = degf(des)), degf(des))

# reporting rate: svyciprop in the victims' domain
vd <- subset(persons, n12_theft_personal >= 1)
p <- svyciprop(~rep_theft_personal, vd, method = "logit")
add("reporting theft_personal", "svyciprop(~rep_theft_personal, subset(persons, n12_theft_personal >= 1), method = 'logit')",
    coef(p), SE(p), confint(p), degf(vd))

writeLines(toJSON(list(source = "tests/results/victimization_demo.R",
  r_version = R.version.string, survey_version = as.character(packageVersion("survey")),
  cases = cases), auto_unbox = TRUE, digits = 15, pretty = TRUE, na = "null"),
  "tests/results/victimization_demo.json")
