package tw.einvoice.karaf;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.spi.Resource;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.PluginHelper;
import tw.einvoice.camel.RouteFileOrder;

/**
 * Runs the shipped YAML routes where no YAML deployer exists (Apache Karaf: camel-karaf deploys Java and blueprint
 * only). It finds the {@code *.camel.yaml} files at a location such as {@code classpath:ecpay-routes/*.camel.yaml}
 * (the copies inside this bundle) or {@code file:/opt/ecpay/routes/*.camel.yaml} and hands them to Camel's own routes
 * loader, so beans, placeholders and routes behave exactly as under Camel Main and Camel JBang.
 */
public final class YamlRoutesBuilder implements RoutesBuilder {

    public static final String SHIPPED = "classpath:ecpay-routes/*.camel.yaml";

    private final String location;

    public YamlRoutesBuilder() {
        this(SHIPPED);
    }

    public YamlRoutesBuilder(String location) {
        this.location = location == null || location.isBlank() ? SHIPPED : location.strip();
    }

    public String getLocation() {
        return location;
    }

    @Override
    public void addRoutesToCamelContext(CamelContext context) throws Exception {
        threadPoolProfiles(context);
        PluginHelper.getRoutesLoader(context).loadRoutes(resources(context));
    }

    /**
     * The {@code camel.threadpool.config[name].*} entries of the shipped properties, which Camel Main applies and
     * a blueprint context does not: routes refer to these pools by name.
     */
    static void threadPoolProfiles(CamelContext context) {
        String prefix = "camel.threadpool.config[";
        Properties entries = context.getPropertiesComponent().loadProperties(k -> k.startsWith(prefix));
        Map<String, ThreadPoolProfile> profiles = new TreeMap<>();
        for (String key : entries.stringPropertyNames()) {
            int close = key.indexOf("].", prefix.length());
            if (close < 0) {
                throw new IllegalArgumentException(key + ": expected camel.threadpool.config[name].option");
            }
            String name = key.substring(prefix.length(), close);
            String option = key.substring(close + 2);
            String value = context.resolvePropertyPlaceholders(entries.getProperty(key)).strip();
            ThreadPoolProfile profile = profiles.computeIfAbsent(name, ThreadPoolProfile::new);
            switch (option.replace("-", "").toLowerCase(Locale.ROOT)) {
                case "poolsize" -> profile.setPoolSize(Integer.valueOf(value));
                case "maxpoolsize" -> profile.setMaxPoolSize(Integer.valueOf(value));
                case "maxqueuesize" -> profile.setMaxQueueSize(Integer.valueOf(value));
                case "keepalivetime" -> profile.setKeepAliveTime(Long.valueOf(value));
                case "allowcorethreadtimeout" -> profile.setAllowCoreThreadTimeOut(Boolean.valueOf(value));
                default -> throw new IllegalArgumentException(key + ": option '" + option + "' is not supported here");
            }
        }
        var manager = context.getExecutorServiceManager();
        profiles.values().stream().filter(p -> manager.getThreadPoolProfile(p.getId()) == null)
                .forEach(manager::registerThreadPoolProfile);
    }

    @Override
    public void addTemplatedRoutesToCamelContext(CamelContext context) {
        // nothing left to add: the routes loader adds the files' templated routes (sql-intake's) itself, after the
        // routes and templates of all files, so a templatedRoute may be in any file
    }

    @Override
    public java.util.Set<String> updateRoutesToCamelContext(CamelContext context) throws Exception {
        return PluginHelper.getRoutesLoader(context).updateRoutes(resources(context));
    }

    /** The YAML files at {@link #location}, in {@link RouteFileOrder}: a stable, explainable order. */
    List<Resource> resources(CamelContext context) throws Exception {
        Collection<Resource> found = PluginHelper.getPackageScanResourceResolver(context).findResources(location);
        if (found.isEmpty()) {
            throw new IllegalStateException("no YAML routes found at " + location);
        }
        List<Resource> sorted = new ArrayList<>(found);
        sorted.sort(Comparator.comparing(Resource::getLocation, RouteFileOrder.LOCATIONS));
        return sorted;
    }
}
