# Builds every COINr 1.1.14 case of tests/index/test_coinr_live.py in one R process.
# Usage: Rscript cases.R OUTDIR. Writes OUTDIR/<case>__<dataset>.csv for each data set of the
# case's coin, <case>__ranks.csv (rank of each aggregate, ties "min"), extra tables
# (<case>__weights.csv, <case>__value.csv) and <case>__ERROR.txt when a case fails in R.
suppressPackageStartupMessages(library(COINr))
out <- commandArgs(trailingOnly = TRUE)[1]
stopifnot(!is.na(out), dir.exists(out))

agg_codes <- ASEM_iMeta$iCode[ASEM_iMeta$Type == "Aggregate"]
ind_codes <- ASEM_iMeta$iCode[ASEM_iMeta$Type == "Indicator"]

write_tab <- function(df, case, what) {
  utils::write.csv(df, file.path(out, paste0(case, "__", what, ".csv")), row.names = FALSE)
}

ranks_of <- function(dat) {
  r <- data.frame(uCode = dat$uCode)
  for (a in intersect(agg_codes, names(dat))) {
    r[[a]] <- rank(-dat[[a]], ties.method = "min", na.last = "keep")
  }
  r
}

put_coin <- function(case, coin) {
  for (d in names(coin$Data)) write_tab(coin$Data[[d]], case, d)
  if (!is.null(coin$Data$Aggregated)) write_tab(ranks_of(coin$Data$Aggregated), case, "ranks")
}

run <- function(case, f) {
  res <- tryCatch(f(), error = function(e) e)
  if (inherits(res, "error")) {
    writeLines(conditionMessage(res), file.path(out, paste0(case, "__ERROR.txt")))
  } else if (inherits(res, "coin")) {
    put_coin(case, res)
  }
  invisible(NULL)
}

base <- function(meta = ASEM_iMeta) new_coin(ASEM_iData, meta, quietly = TRUE)
q <- function(expr) suppressWarnings(suppressMessages(expr))
norm_agg <- function(coin, dset = "Raw", specs = NULL, f_ag = NULL, f_ag_para = NULL,
                     by_df = FALSE, w = NULL, dat_thresh = NULL) {
  coin <- q(Normalise(coin, dset = dset, global_specs = specs))
  q(Aggregate(coin, dset = "Normalised", f_ag = f_ag, f_ag_para = f_ag_para, by_df = by_df,
              w = w, dat_thresh = dat_thresh))
}
imputed <- function() q(Impute(base(), dset = "Raw", f_i = "i_mean"))

# ---- normalisations
run("n_minmax", function() norm_agg(base()))
run("n_minmax_1_100", function() norm_agg(base(), specs = list(f_n = "n_minmax",
                                                               f_n_para = list(l_u = c(1, 100)))))
run("n_zscore", function() norm_agg(base(), specs = list(f_n = "n_zscore",
                                                         f_n_para = list(m_sd = c(10, 2)))))
for (f in c("n_rank", "n_prank", "n_borda", "n_dist2max", "n_fracmax")) {
  local({
    fn <- f
    run(fn, function() norm_agg(base(), specs = list(f_n = fn)))
  })
}
iref <- which(ASEM_iData$uCode == "DEU")
run("n_dist2ref", function() norm_agg(base(), specs = list(
  f_n = "n_dist2ref", f_n_para = list(iref = iref, cap_max = TRUE))))
# dist2targ with the iMeta targets and a per-indicator cap
capped <- ind_codes[seq(1, length(ind_codes), by = 3)]
run("n_dist2targ", function() {
  m <- ASEM_iMeta
  m$dist2targ_cap_max <- m$iCode %in% capped
  norm_agg(base(m), specs = list(f_n = "n_dist2targ", f_n_para = "use_iMeta"))
})
# goalposts per indicator (10th/90th percentiles, own scale and truncation) from iMeta
gp <- data.frame(iCode = ind_codes)
gp$lower <- sapply(ind_codes, function(i) unname(stats::quantile(ASEM_iData[[i]], 0.1, na.rm = TRUE)))
gp$upper <- sapply(ind_codes, function(i) unname(stats::quantile(ASEM_iData[[i]], 0.9, na.rm = TRUE)))
gp$scale <- ifelse(seq_along(ind_codes) %% 4 == 0, 10, 100)
gp$trunc <- seq_along(ind_codes) %% 5 != 0
gp <- gp[gp$lower < gp$upper, ]
write_tab(gp, "n_goalposts", "goalposts")
run("n_goalposts", function() {
  m <- ASEM_iMeta
  i <- match(m$iCode, gp$iCode)
  m$goalpost_lower <- gp$lower[i]
  m$goalpost_upper <- gp$upper[i]
  m$goalpost_scale <- gp$scale[i]
  m$goalpost_trunc2posts <- gp$trunc[i]
  keep <- m$Type != "Indicator" | m$iCode %in% gp$iCode
  coin <- new_coin(ASEM_iData[c(names(ASEM_iData)[!names(ASEM_iData) %in% ind_codes],
                                gp$iCode)], m[keep, ], quietly = TRUE)
  norm_agg(coin, specs = list(f_n = "n_goalposts", f_n_para = "use_iMeta"))
})

# ---- aggregations
mm1 <- list(f_n = "n_minmax", f_n_para = list(l_u = c(1, 100)))
run("a_gmean", function() norm_agg(base(), specs = mm1, f_ag = "a_gmean"))
run("a_hmean", function() norm_agg(base(), specs = mm1, f_ag = "a_hmean"))
run("a_genmean_p2", function() norm_agg(imputed(), dset = "Imputed", f_ag = "a_genmean",
                                        f_ag_para = list(p = 2)))
run("a_genmean_pm05", function() norm_agg(imputed(), dset = "Imputed", specs = mm1,
                                          f_ag = "a_genmean", f_ag_para = list(p = -0.5)))
# Aggregate() cannot call a_copeland in 1.1.14 (it passes `x`, a_copeland takes `X`): the
# level-2 Copeland scores straight from a_copeland, on complete (imputed) normalised data
run("a_copeland", function() {
  coin <- q(Normalise(imputed(), dset = "Imputed"))
  nd <- coin$Data$Normalised
  im <- ASEM_iMeta[ASEM_iMeta$Type == "Indicator", ]
  res <- data.frame(uCode = nd$uCode)
  for (p in unique(im$Parent)) {
    kids <- im$iCode[im$Parent == p]
    res[[p]] <- q(a_copeland(nd[kids], w = im$Weight[im$Parent == p]))
  }
  write_tab(res, "a_copeland", "scores")
  coin
})

# ---- imputation
for (f in c("i_mean", "i_median")) {
  local({
    fn <- f
    run(fn, function() norm_agg(q(Impute(base(), dset = "Raw", f_i = fn)), dset = "Imputed"))
  })
}
for (f in c("i_mean_grp", "i_median_grp")) {
  local({
    fn <- f
    run(fn, function() norm_agg(q(Impute(base(), dset = "Raw", f_i = fn,
                                          use_group = "EurAsia_group")), dset = "Imputed"))
  })
}

# ---- screening
run("screen_byNA", function() norm_agg(q(Screen(base(), dset = "Raw", unit_screen = "byNA",
                                                dat_thresh = 0.9)), dset = "Screened"))
run("screen_both", function() norm_agg(q(Screen(base(), dset = "Raw", unit_screen = "byNAandzeros",
                                                dat_thresh = 0.85, nonzero_thresh = 0.9)),
                                       dset = "Screened"))

# ---- denomination
run("denom_imeta", function() norm_agg(q(Denominate(base(), dset = "Raw")), dset = "Denominated"))
denomby <- data.frame(iCode = c("Goods", "Services", "Flights", "Renew"),
                      Denominator = c("GDP", "GDP", "Population", "Area"),
                      ScaleFactor = c(1, 100, 1000, 1))
wd <- WorldDenoms[c("uCode", "GDP", "Population", "Area")]
write_tab(wd, "denom_world", "denoms")
run("denom_world", function() norm_agg(q(Denominate(base(), dset = "Raw", denoms = WorldDenoms,
                                                    denomby = denomby)), dset = "Denominated"))

# ---- treatment
run("treat_default", function() norm_agg(q(Treat(imputed(), dset = "Imputed")), dset = "Treated"))
run("treat_win3_orig", function() norm_agg(q(Treat(imputed(), dset = "Imputed", global_specs = list(
  f1_para = list(winmax = 3), f2 = "log_CT_orig"))), dset = "Treated"))
run("treat_combine", function() norm_agg(q(Treat(imputed(), dset = "Imputed",
                                                 combine_treat = TRUE)), dset = "Treated"))

# ---- weights
run("pca_l1", function() {
  coin <- q(Normalise(imputed(), dset = "Imputed"))
  w <- q(get_PCA(coin, dset = "Normalised", Level = 1, by_groups = TRUE, out2 = "list"))$Weights
  write_tab(w, "pca_l1", "weights")
  q(Aggregate(coin, dset = "Normalised", w = w))
})
run("pca_l2", function() {
  coin <- norm_agg(imputed(), dset = "Imputed")
  w <- q(get_PCA(coin, dset = "Aggregated", Level = 2, by_groups = TRUE, out2 = "list"))$Weights
  write_tab(w, "pca_l2", "weights")
  q(Aggregate(coin, dset = "Normalised", w = w))
})
for (lev in c(2, 3)) {
  local({
    L <- lev
    case <- paste0("opt_l", L)
    run(case, function() {
      coin <- norm_agg(imputed(), dset = "Imputed")
      o <- q(get_opt_weights(coin, itarg = "equal", dset = "Aggregated", Level = L,
                             out2 = "list"))
      write_tab(o$WeightsOpt, case, "weights")
      write_tab(data.frame(value = o$OptResults$value), case, "value")
      coin
    })
  })
}

# ---- dat_thresh with zero weights
run("dat_thresh_zero_w", function() {
  w <- ASEM_iMeta[ASEM_iMeta$Type %in% c("Indicator", "Aggregate"), c("iCode", "Weight")]
  w$Weight[w$iCode %in% c("Flights", "Goods", "Embs")] <- 0
  norm_agg(base(), w = w, dat_thresh = 0.8)
})

# ---- panel, global normalisation
run("panel_global", function() {
  purse <- new_coin(ASEM_iData_p, ASEM_iMeta, split_to = "all", quietly = TRUE)
  purse <- q(Normalise(purse, dset = "Raw", global = TRUE))
  purse <- q(Aggregate(purse, dset = "Normalised"))
  for (k in seq_len(nrow(purse))) {
    put_coin(paste0("panel_global_", purse$Time[k]), purse$coin[[k]])
  }
  NULL
})
# ---- audit statistics: get_stats on Raw, get_cronbach per pillar on Normalised
local({
  coin <- norm_agg(imputed(), dset = "Imputed")
  write_tab(get_stats(coin, dset = "Raw", nsignif = NULL), "audit", "stats")
  pillars <- unique(ASEM_iMeta$Parent[ASEM_iMeta$Level == 1 & !is.na(ASEM_iMeta$Parent)])
  al <- sapply(pillars, function(p) get_cronbach(coin, dset = "Normalised", iCodes = p,
                                                 Level = 1))
  write_tab(data.frame(aggregate = pillars, alpha = unname(al)), "audit", "cronbach")
})
writeLines("done", file.path(out, "DONE"))
