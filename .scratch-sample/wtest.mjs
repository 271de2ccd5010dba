import gdal from 'gdal-async';
import proj4 from 'proj4';
const f='/work/shared/data/real/raster/esa_worldcover_N00E006/ESA_WorldCover_10m_2021_v200_N00E006_Map.tif';
const src = await gdal.openAsync(f);
// Sao Tome island ~ 6.6E 0.25N; UTM 32N
const [x,y] = proj4('EPSG:4326','+proj=utm +zone=32 +datum=WGS84 +units=m +no_defs',[6.60,0.25]);
const x0=Math.round(x/10)*10, y0=Math.round(y/10)*10, size=5000;
for (const [res, ovr, r] of [[80,'AUTO','mode'],[80,'AUTO','near'],[10,'NONE','near']]) {
  const t=Date.now();
  const out = await gdal.warpAsync('lc', null, [src], ['-of','MEM','-t_srs','EPSG:32632','-te',x0,y0,x0+size,y0+size,'-ts',size/res,size/res,'-r',r,'-ovr',ovr,'-dstnodata','0'].map(String));
  const px = await out.bands.get(1).pixels.readAsync(0,0,out.rasterSize.x,out.rasterSize.y);
  const h={}; for (const v of px) h[v]=(h[v]||0)+1;
  console.log(res,ovr,r,Date.now()-t,'ms',px.constructor.name,out.rasterSize, JSON.stringify(h));
}
