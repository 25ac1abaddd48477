#include "monosem/report/page_assets.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "monosem/io/file_io.h"

namespace monosem::report {

std::string ChartJsPath() {
  const char* env = std::getenv("MONOSEM_CHARTJS");
  return env != nullptr && *env != '\0' ? env : "/usr/share/javascript/chart.js/chart.min.js";
}

absl::StatusOr<std::string> LoadChartJs() {
  const std::string path = ChartJsPath();
  auto text = ReadFile(path);
  if (!text.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("plotting library ", path, " is missing (", text.status().message(),
                     "); run ci/setup, which installs Debian's libjs-chart.js"));
  }
  if (text->empty()) {
    return absl::FailedPreconditionError(absl::StrCat("plotting library ", path, " is empty"));
  }
  if (absl::StrContains(absl::AsciiStrToLower(*text), "</script")) {
    return absl::FailedPreconditionError(
        absl::StrCat("plotting library ", path,
                     " contains '</script', which would end the inlined <script> early"));
  }
  return *std::move(text);
}

const char* PageCss() {
  return R"CSS(
body{font:14px/1.4 system-ui,sans-serif;margin:0 24px 40px;color:#222;max-width:1500px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:12px}th,td{border:1px solid #ddd;padding:2px 6px;vertical-align:top}
th{background:#f4f4f4;position:sticky;top:0}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.pass td.status{background:#d8f5d8;color:#135c13;font-weight:600}
tr.fail td.status{background:#fbd5d5;color:#8a1010;font-weight:700}
tr.report td.status{background:#eef;color:#335}
td.note{max-width:520px;color:#555}
.plots{display:flex;flex-wrap:wrap;gap:12px}
.plot{width:640px;border:1px solid #eee;padding:6px}.plot.small{width:190px}.plot.third{width:450px}.plot.quarter{width:330px}
.plot .caption{font-size:12px;color:#555}
p.missing{color:#8a4b00;background:#fff4e0;padding:4px 8px;margin:4px 0}
pre#page-errors:empty{display:none}pre#page-errors{color:#a00;background:#fee;padding:8px}
.ctx{font-family:ui-monospace,monospace;white-space:pre-wrap;word-break:break-all;margin:2px 0;padding:2px;border-bottom:1px solid #f0f0f0}
.ctx span.hot{outline:1px solid #c60}
.cols{display:flex;gap:24px;flex-wrap:wrap}
#index td,#index th{cursor:default}#index th{cursor:pointer}
a{color:#0645ad}
)CSS";
}

const char* ErrorSinkJs() {
  return R"JS(
(function(){
  function sink(msg){
    var el=document.getElementById('page-errors');
    if(!el){el=document.createElement('pre');el.id='page-errors';
      (document.body||document.documentElement).appendChild(el);}
    el.textContent+=msg+'\n';
  }
  window.addEventListener('error',function(e){sink('error: '+(e.message||e.type)+
    (e.filename?' at '+e.filename+':'+e.lineno:''));},true);
  window.addEventListener('unhandledrejection',function(e){sink('rejection: '+e.reason);});
  var orig=console.error;
  console.error=function(){sink('console.error: '+Array.prototype.join.call(arguments,' '));
    return orig.apply(console,arguments);};
  window.monosemPageError=sink;
})();
)JS";
}

const char* PlotRendererJs() {
  return R"JS(
(function(){
var PALETTE=['#1f77b4','#d62728','#2ca02c','#ff7f0e','#9467bd','#8c564b','#e377c2',
  '#7f7f7f','#bcbd22','#17becf'];
function clamp(t){return Math.max(0,Math.min(1,t));}
function mix(a,b,t){return 'rgb('+a.map(function(v,i){return Math.round(v+(b[i]-v)*t);}).join(',')+')';}
// The paper's bars: dark for a feature with its own dimension, yellow for one in superposition.
function shadeColor(t){return mix([25,25,60],[245,200,20],clamp(t));}
function diverging(v,lim){
  var t=lim>0?Math.max(-1,Math.min(1,v/lim)):0;
  return t>=0?mix([255,255,255],[178,24,43],t):mix([255,255,255],[33,102,172],-t);
}
function axis(label,log,extra){
  var a={type:log?'logarithmic':'linear',title:{display:!!label,text:label}};
  for(var k in (extra||{}))a[k]=extra[k];
  return a;
}
function extent(p,key){
  var lo=Infinity,hi=-Infinity;
  p.series.forEach(function(s){s[key].forEach(function(v){if(v!==null){lo=Math.min(lo,v);hi=Math.max(hi,v);}});});
  return [lo,hi];
}
function refLines(p){
  var out=[],xs=extent(p,'x'),ys=extent(p,'y');
  p.lines.forEach(function(l){
    if(l.value===null)return;
    ys=[Math.min(ys[0],l.vertical?ys[0]:l.value),Math.max(ys[1],l.vertical?ys[1]:l.value)];
  });
  p.lines.forEach(function(l){
    if(l.value===null)return;
    var d=l.vertical?[{x:l.value,y:ys[0]},{x:l.value,y:ys[1]}]:[{x:xs[0],y:l.value},{x:xs[1],y:l.value}];
    out.push({label:l.label,data:d,showLine:true,borderColor:'#888',backgroundColor:'#888',
      borderDash:[4,4],borderWidth:1,pointRadius:0,monosemRef:true});
  });
  return out;
}
function xy(p){
  var ds=p.series.map(function(s,i){
    var c=s.color||PALETTE[i%PALETTE.length],pts=[];
    s.x.forEach(function(x,k){if(x!==null&&s.y[k]!==null)pts.push({x:x,y:s.y[k]});});
    var d={label:s.label,data:pts,showLine:s.style==='line',borderColor:c,backgroundColor:c,
      borderDash:s.dashed?[6,4]:[],pointRadius:s.style==='line'?(pts.length>60?0:2):3,borderWidth:1.5};
    if(s.shade.length)d.pointBackgroundColor=s.shade.map(shadeColor);
    return d;
  });
  var xa=axis(p.xLabel,p.xLog),ya=axis(p.yLabel,p.yLog);
  if(p.xRange.length===2){xa.min=p.xRange[0];xa.max=p.xRange[1];}
  if(p.yRange.length===2){ya.min=p.yRange[0];ya.max=p.yRange[1];}
  var o={scales:{x:xa,y:ya}};
  if(p.square)o.aspectRatio=1;
  return {type:'scatter',data:{datasets:ds.concat(refLines(p))},options:o};
}
function bar(p){
  var ds=p.series.map(function(s,i){
    var c=s.color||PALETTE[i%PALETTE.length];
    return {label:s.label,data:s.y,backgroundColor:s.shade.length?s.shade.map(shadeColor):c};
  });
  p.lines.forEach(function(l){if(l.value!==null)ds.push({type:'line',label:l.label,
    data:p.categories.map(function(){return l.value;}),borderColor:'#888',borderDash:[4,4],
    borderWidth:1,pointRadius:0,monosemRef:true});});
  var xa=axis(p.xLabel,false);
  xa.type='category';
  return {type:'bar',data:{labels:p.categories,datasets:ds},
    options:{scales:{x:xa,y:axis(p.yLabel,p.yLog)}}};
}
// Heatmap cells are drawn by a plugin as exact rectangles between the
// half-integer grid lines (point styles are squares, which leave gaps when
// the plot area is not square); the invisible points keep the tooltips.
function cellPlugin(p){return {id:'monosemCells',beforeDatasetsDraw:function(chart){
  var xs=chart.scales.x,ys=chart.scales.y,ctx=chart.ctx;
  ctx.save();
  p.cells.forEach(function(v,i){
    if(v===null)return;
    var c=i%p.cols,r=Math.floor(i/p.cols);
    var x0=xs.getPixelForValue(c-0.5),x1=xs.getPixelForValue(c+0.5);
    var y0=ys.getPixelForValue(r-0.5),y1=ys.getPixelForValue(r+0.5);
    ctx.fillStyle=p.classes.length?PALETTE[v%PALETTE.length]:diverging(v,p.limit);
    ctx.fillRect(Math.min(x0,x1),Math.min(y0,y1),Math.abs(x1-x0)+0.5,Math.abs(y1-y0)+0.5);
  });
  ctx.restore();
}};}
function heatmap(p){
  var ds=[];
  var hit=function(ctx){var a=ctx.chart.chartArea;if(!a)return 2;
    return Math.min(a.width/p.cols,a.height/p.rows)/2;};
  if(p.classes.length){
    p.classes.forEach(function(name,ci){
      var pts=[];
      p.cells.forEach(function(v,i){if(v===ci)pts.push({x:i%p.cols,y:Math.floor(i/p.cols)});});
      ds.push({label:name,data:pts,pointRadius:0,hitRadius:hit,backgroundColor:PALETTE[ci%PALETTE.length],
        borderColor:PALETTE[ci%PALETTE.length]});
    });
  }else{
    var pts=p.cells.map(function(v,i){return {x:i%p.cols,y:Math.floor(i/p.cols),v:v};});
    ds.push({label:'value',data:pts,pointRadius:0,hitRadius:hit});
  }
  function ticks(labels){return {autoSkip:true,callback:function(v){
    return labels.length?(labels[v]!==undefined?labels[v]:''):v;}};}
  // One tick per row / column, at the cell centres.
  function integerTicks(n){return function(a){a.ticks=[];for(var i=0;i<n;i++)a.ticks.push({value:i});};}
  return {type:'scatter',data:{datasets:ds},plugins:[cellPlugin(p)],options:{aspectRatio:1,
    plugins:{legend:{display:p.classes.length>0},tooltip:{callbacks:{label:function(c){
      return '('+c.raw.y+','+c.raw.x+')'+(c.raw.v!==undefined?' '+c.raw.v.toFixed(3):' '+c.dataset.label);}}}},
    scales:{x:axis(p.xLabel,false,{min:-0.5,max:p.cols-0.5,ticks:ticks(p.colLabels),
              afterBuildTicks:integerTicks(p.cols),grid:{display:false}}),
            y:axis(p.yLabel,false,{min:-0.5,max:p.rows-0.5,reverse:true,ticks:ticks(p.rowLabels),
              afterBuildTicks:integerTicks(p.rows),grid:{display:false}})}}};
}
window.monosemRenderPlot=function(el,p){
  var cfg=p.kind==='heatmap'?heatmap(p):p.kind==='bar'?bar(p):xy(p);
  cfg.options.animation=false;
  // Small multiples: square, and no legend for a single series (at 190 px
  // wide the default 2:1 plot area leaves bars no height).
  if(p.small){cfg.options.aspectRatio=1;
    if(p.series.length<=1){cfg.options.plugins=cfg.options.plugins||{};
      cfg.options.plugins.legend={display:false};}}
  cfg.options.plugins=cfg.options.plugins||{};
  cfg.options.plugins.title={display:!!p.title,text:p.title};
  var canvas=document.createElement('canvas');
  el.insertBefore(canvas,el.firstChild);
  var chart=new Chart(canvas,cfg);
  el.setAttribute('data-points',String(p.points));
  // What the chart actually placed inside its plot area (reference lines
  // aside): a wrong axis type or scale leaves elements at NaN or outside,
  // which the number of values given would not show.
  var drawn=0,a=chart.chartArea;
  chart.data.datasets.forEach(function(d,i){
    if(d.monosemRef)return;
    chart.getDatasetMeta(i).data.forEach(function(e){
      if(isFinite(e.x)&&isFinite(e.y)&&e.x>=a.left-1&&e.x<=a.right+1&&e.y>=a.top-1&&e.y<=a.bottom+1)drawn++;
    });
  });
  el.setAttribute('data-drawn',String(drawn));
  if(!(drawn>0))window.monosemPageError('empty plot: '+p.title);
};
// Renders a few plots per task so that the table and the first plots show
// at once and the rest follow (50-odd charts take seconds on a slow
// machine). The body gets data-first-render-ms after the first batch and
// data-all-rendered-ms after the last.
window.monosemRenderAll=function(){
  var data=JSON.parse(document.getElementById('plot-data').textContent);
  var els=Array.prototype.slice.call(document.querySelectorAll('div.plot[data-plot]')),next=0;
  function batch(){
    for(var k=0;k<4&&next<els.length;k++,next++){
      try{window.monosemRenderPlot(els[next],data[Number(els[next].getAttribute('data-plot'))]);}
      catch(e){window.monosemPageError('plot '+next+': '+e);}
    }
    if(next===4||(next===els.length&&!document.body.hasAttribute('data-first-render-ms')))
      document.body.setAttribute('data-first-render-ms',performance.now().toFixed(1));
    if(next<els.length)setTimeout(batch,0);
    else document.body.setAttribute('data-all-rendered-ms',performance.now().toFixed(1));
  }
  batch();
};
})();
)JS";
}

}  // namespace monosem::report
