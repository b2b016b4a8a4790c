package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// datasourceUID is the uid of the Prometheus datasource provisioned with the dashboards.
const datasourceUID = "prometheus"

// sel is the label selector every dashboard query filters on: the job and instance variables.
const sel = `job=~"$job",instance=~"$instance"`

// render builds every dashboard and returns its JSON by file name.
func render() (map[string][]byte, error) {
	files := map[string][]byte{}
	for name, b := range map[string]*dashboard.DashboardBuilder{
		"docpipe-overview.json": overview(),
		"docpipe-ocr.json":      ocrPipeline(),
	} {
		d, err := b.Build()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		numberPanels(d.Panels)
		data, err := json.MarshalIndent(d, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		files[name] = append(data, '\n')
	}
	return files, nil
}

// numberPanels gives every panel and row a unique id, in layout order.
func numberPanels(panels []dashboard.PanelOrRowPanel) {
	var id uint32
	for _, p := range panels {
		id++
		switch {
		case p.Panel != nil:
			p.Panel.Id = cog.ToPtr(id)
		case p.RowPanel != nil:
			p.RowPanel.Id = id
		}
	}
}

func datasource() common.DataSourceRef {
	return common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr(datasourceUID)}
}

// base returns a dashboard with docpipe's common settings and the job and instance variables.
func base(uid, title, description string) *dashboard.DashboardBuilder {
	return dashboard.NewDashboardBuilder(title).
		Uid(uid).
		Description(description).
		Tags([]string{"docpipe", "generated"}).
		Editable().
		Refresh("30s").
		Time("now-1h", "now").
		Timezone("browser").
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		WithVariable(variable("job", "Role (job)", `label_values(docpipe_build_info, job)`)).
		WithVariable(variable("instance", "Instance", `label_values(docpipe_build_info{job=~"$job"}, instance)`))
}

func variable(name, label, query string) *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Datasource(datasource()).
		Query(dashboard.StringOrMap{String: cog.ToPtr(query)}).
		Definition(query).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).
		IncludeAll(true).
		AllValue(".*").
		Current(dashboard.VariableOption{
			Selected: cog.ToPtr(true),
			Text:     dashboard.StringOrArrayOfString{ArrayOfString: []string{"All"}},
			Value:    dashboard.StringOrArrayOfString{ArrayOfString: []string{"$__all"}},
		})
}

// query is one PromQL target; "{SEL" in the expression opens a selector with the variables.
type query struct {
	expr, legend string
}

func q(expr, legend string) query { return query{expr, legend} }

func targets(qs []query) []cog.Builder[variants.Dataquery] {
	ts := make([]cog.Builder[variants.Dataquery], len(qs))
	for i, x := range qs {
		ts[i] = prometheus.NewDataqueryBuilder().
			Datasource(datasource()).
			Expr(strings.ReplaceAll(x.expr, "{SEL", "{"+sel)).
			LegendFormat(x.legend).
			RefId(string(rune('A' + i)))
	}
	return ts
}

// graph is a time series panel.
func graph(title, description, unit string, w, h uint32, qs ...query) *timeseries.PanelBuilder {
	return timeseries.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(datasource()).
		Unit(unit).
		Span(w).
		Height(h).
		FillOpacity(10).
		Legend(common.NewVizLegendOptionsBuilder().
			DisplayMode(common.LegendDisplayModeList).
			Placement(common.LegendPlacementBottom).
			ShowLegend(true)).
		Targets(targets(qs))
}

// single is a stat panel showing the last value, coloured by steps.
func single(title, description, unit string, w, h uint32, steps []dashboard.Threshold, qs ...query) *stat.PanelBuilder {
	return stat.NewPanelBuilder().
		Title(title).
		Description(description).
		Datasource(datasource()).
		Unit(unit).
		Span(w).
		Height(h).
		GraphMode(common.BigValueGraphModeArea).
		ColorMode(common.BigValueColorModeValue).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"})).
		Thresholds(dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(steps)).
		Targets(targets(qs))
}

// above colours values green, then amber from warn and red from bad.
func above(warn, bad float64) []dashboard.Threshold {
	return []dashboard.Threshold{
		{Color: "green"},
		{Value: cog.ToPtr(warn), Color: "orange"},
		{Value: cog.ToPtr(bad), Color: "red"},
	}
}

// below colours values red, then amber from bad and green from good.
func below(bad, good float64) []dashboard.Threshold {
	return []dashboard.Threshold{
		{Color: "red"},
		{Value: cog.ToPtr(bad), Color: "orange"},
		{Value: cog.ToPtr(good), Color: "green"},
	}
}
